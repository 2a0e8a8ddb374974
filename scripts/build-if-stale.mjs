// Rebuilds a workspace only when one of its inputs is newer than its output.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function newest(paths) {
  let max = 0;
  const walk = (p) => {
    if (!fs.existsSync(p)) return;
    const st = fs.statSync(p);
    if (st.isDirectory()) {
      if (p.endsWith('node_modules') || p.endsWith('dist')) return;
      for (const e of fs.readdirSync(p)) walk(path.join(p, e));
    } else max = Math.max(max, st.mtimeMs);
  };
  paths.forEach((p) => walk(path.join(root, p)));
  return max;
}

const targets = [
  { name: 'server', inputs: ['server/src', 'migrations', 'server/tsconfig.json', 'server/tsconfig.build.json', 'tsconfig.base.json', 'package-lock.json'], output: 'server/dist/server/src/main.js' },
  { name: 'web', inputs: ['web/src', 'web/index.html', 'web/vite.config.ts', 'package-lock.json'], output: 'web/dist/index.html' },
];

export function ensureBuilt() {
  for (const t of targets) {
    const out = path.join(root, t.output);
    const built = fs.existsSync(out) ? fs.statSync(out).mtimeMs : 0;
    if (built >= newest(t.inputs)) continue;
    process.stdout.write(`building ${t.name}…\n`);
    const r = spawnSync('npm', ['run', 'build', '-w', t.name, '--silent'], { cwd: root, stdio: 'inherit' });
    if (r.status !== 0) process.exit(r.status ?? 1);
    // Touch the output so a build with no changed emit still counts as fresh.
    const now = new Date();
    fs.utimesSync(out, now, now);
  }
}
