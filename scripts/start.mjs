#!/usr/bin/env node
// `npm start`: builds the server and the console if any source is newer than the build, then
// runs Headroom in the foreground. Signals are passed through so Ctrl-C shuts down cleanly.
import { spawn } from 'node:child_process';
import { ensureBuilt } from './build-if-stale.mjs';
import { readFileSync } from 'node:fs';

// The Node.js flags the server runs with, in scripts/node-flags.json (also read by the
// benchmarks and repeated in the Dockerfile's CMD; a test keeps them equal).
// --max-semi-space-size=64: an OTLP batch keeps its points alive until its transaction commits,
// so with V8's default young generation most of them survive a scavenge, are copied, promoted,
// and collected again by the old generation. 64 MB semi-spaces took the server's CPU per OTLP
// point from 29–32 µs to 27–30 µs and ingest from 24,000–27,000 to 25,000–28,600 points/s
// (bench/otlp-ingest.mjs, three alternating pairs, load 2–3), for about 80 MB more memory.
const NODE_RUNTIME_FLAGS = JSON.parse(readFileSync(new URL('./node-flags.json', import.meta.url), 'utf8'));

ensureBuilt();
const child = spawn(process.execPath, [...NODE_RUNTIME_FLAGS, 'server/dist/server/src/main.js', 'start', ...process.argv.slice(2)], { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
