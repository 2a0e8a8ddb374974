#!/usr/bin/env node
// `npm run headroom -- <command>`: the Headroom CLI (validate, migrate, token create, start).
import { spawn } from 'node:child_process';
import { ensureBuilt } from './build-if-stale.mjs';

ensureBuilt();
const child = spawn(process.execPath, ['server/dist/server/src/main.js', ...process.argv.slice(2)], { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code) => process.exit(code ?? 1));
