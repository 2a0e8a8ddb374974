import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { findAlertmanager } from './debian-tools';
import { waitFor } from './headroom-process';
import { freePort } from './ports';

export interface RealAlertmanager {
  url: string;
  /** Everything it logged so far. */
  log(): string;
  stop(): void;
}

/** Starts a real Alertmanager on a free port with `config` (alertmanager.yml text) in `dir`; resolves once it is ready. */
export async function startAlertmanager(dir: string, config: string): Promise<RealAlertmanager> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  fs.writeFileSync(path.join(dir, 'alertmanager.yml'), config);
  const am = spawn(findAlertmanager(), [`--config.file=${path.join(dir, 'alertmanager.yml')}`, `--storage.path=${path.join(dir, 'am')}`, `--web.listen-address=127.0.0.1:${port}`, '--cluster.listen-address='], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  am.stdout!.on('data', (d) => (log += d));
  am.stderr!.on('data', (d) => (log += d));
  await waitFor('Alertmanager to listen', async () => (await fetch(`${url}/-/ready`).catch(() => null))?.ok, 30_000, 200);
  return { url, log: () => log, stop: () => am.kill('SIGTERM') };
}
