#!/usr/bin/env node
// The browser tests drive Debian's Chromium (no browser download exists on this network).
// Installs it with apt-get when missing; needs root, as on CI and the dev machines.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';

const CHROMIUM = '/usr/bin/chromium';
if (fs.existsSync(CHROMIUM)) process.exit(0);
const sh = (cmd) => spawnSync('sh', ['-c', cmd], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } }).status;
if (typeof process.getuid === 'function' && process.getuid() !== 0) {
  console.error(`Chromium is missing at ${CHROMIUM}: install Debian's chromium package (sudo apt-get install -y chromium).`);
  process.exit(1);
}
if (sh('apt-get update -qq') !== 0 || sh('apt-get install -y -qq chromium >/dev/null') !== 0 || !fs.existsSync(CHROMIUM)) {
  console.error('Could not install chromium with apt-get.');
  process.exit(1);
}
