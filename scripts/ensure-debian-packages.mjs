#!/usr/bin/env node
// Test tools that come from Debian rather than npm: Chromium for the console's browser tests
// (no browser download exists on this network), a real Alertmanager for the webhook test, a real
// Prometheus (with promtool) for the pull tests, and
// PostgreSQL's server binaries (initdb, pg_ctl) for the chaos tests that stop and start a
// PostgreSQL of their own.
// Installs what is missing with apt-get; needs root, as on CI and the dev machines.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';

const postgresInstalled = () =>
  fs.existsSync('/usr/lib/postgresql') && fs.readdirSync('/usr/lib/postgresql').some((v) => fs.existsSync(`/usr/lib/postgresql/${v}/bin/pg_ctl`));

const TOOLS = [
  { binary: '/usr/bin/chromium', pkg: 'chromium', flags: '' },
  // Any version will do; the package's own cluster is not used (and not started: no init system).
  { binary: '/usr/lib/postgresql/<version>/bin/pg_ctl', installed: postgresInstalled, pkg: 'postgresql', flags: '--no-install-recommends' },
  // Without recommends: Alertmanager would otherwise pull in more of the Prometheus stack.
  { binary: '/usr/bin/prometheus-alertmanager', pkg: 'prometheus-alertmanager', flags: '--no-install-recommends' },
  // A real Prometheus (and promtool) for the pull tests and for checking the compose demo's config.
  { binary: '/usr/bin/prometheus', pkg: 'prometheus', flags: '--no-install-recommends' },
];

const present = (t) => (t.installed ? t.installed() : fs.existsSync(t.binary));
const missing = TOOLS.filter((t) => !present(t));
if (missing.length === 0) process.exit(0);
const names = missing.map((t) => t.pkg).join(' ');
if (typeof process.getuid === 'function' && process.getuid() !== 0) {
  console.error(`Missing ${missing.map((t) => t.binary).join(', ')}: install Debian's packages (sudo apt-get install -y ${names}).`);
  process.exit(1);
}
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
const sh = (cmd) => spawnSync('sh', ['-c', cmd], { stdio: 'inherit', env }).status;
// Package scripts may try to start services (there is no init system here); that is harmless.
if (sh('apt-get update -qq') !== 0) {
  console.error('apt-get update failed.');
  process.exit(1);
}
for (const t of missing) {
  if (sh(`apt-get install -y -qq ${t.flags} ${t.pkg} >/dev/null`) !== 0) {
    console.error(`Could not install ${t.pkg} with apt-get.`);
    process.exit(1);
  }
}
const still = missing.filter((t) => !present(t));
if (still.length > 0) {
  console.error(`apt-get finished but ${still.map((t) => t.binary).join(', ')} is still missing.`);
  process.exit(1);
}
