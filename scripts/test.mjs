#!/usr/bin/env node
// `npm test`: everything CI checks, in order — build, lint and dependency rules, type check,
// then every jest project (unit, integration on the database(s), end-to-end, browser).
// Database suites also run on real PostgreSQL when DATABASE_URL is set.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { root } from './build-if-stale.mjs';

function run(title, cmd, args, env = {}) {
  process.stdout.write(`\n▶ ${title}\n`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  if (r.status !== 0) {
    process.stdout.write(`\n✖ ${title} failed (exit ${r.status})\n`);
    process.exit(r.status || 1);
  }
}

run('install the test tools from Debian (Chromium, Alertmanager, Prometheus)', process.execPath, ['scripts/ensure-debian-packages.mjs']);
run('build', 'npm', ['run', 'build', '--silent']);
run('lint and dependency rules', 'npm', ['run', 'lint', '--silent']);
run('type check', 'npm', ['run', 'typecheck', '--silent']);

const report = path.join(root, 'test-artifacts', 'jest-results.json');
fs.mkdirSync(path.dirname(report), { recursive: true });
const jestArgs = ['jest', '--ci', '--json', `--outputFile=${report}`, ...process.argv.slice(2)];
process.stdout.write('\n▶ jest\n');
const r = spawnSync('npx', jestArgs, {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --experimental-vm-modules`.trim() },
});
if (fs.existsSync(report)) {
  const results = JSON.parse(fs.readFileSync(report, 'utf8'));
  process.stdout.write(`\n${results.numPassedTests} passed, ${results.numFailedTests} failed\n`);
  if (results.numTotalTests === 0) {
    process.stdout.write('no test ran\n');
    process.exit(1);
  }
}
process.exit(r.status ?? 1);
