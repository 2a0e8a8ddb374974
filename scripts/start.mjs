#!/usr/bin/env node
// `npm start`: builds the server and the console if any source is newer than the build, then
// runs Headroom in the foreground. Signals are passed through so Ctrl-C shuts down cleanly.
import { spawn } from 'node:child_process';
import { ensureBuilt } from './build-if-stale.mjs';
import { NODE_RUNTIME_FLAGS } from './runtime-flags.mjs';

ensureBuilt();
const child = spawn(process.execPath, [...NODE_RUNTIME_FLAGS, 'server/dist/server/src/main.js', 'start', ...process.argv.slice(2)], { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
