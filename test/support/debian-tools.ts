import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import { waitFor } from './headroom-process';
import { freePort } from './ports';

/**
 * Debian's Alertmanager (scripts/ensure-debian-packages.mjs installs it), found at
 * ALERTMANAGER_BIN, the Debian path, or on the PATH.
 */
export function findAlertmanager(): string {
  const candidates = [process.env.ALERTMANAGER_BIN, '/usr/bin/prometheus-alertmanager', '/usr/local/bin/alertmanager'].filter(Boolean) as string[];
  for (const c of candidates) if (fs.existsSync(c)) return c;
  try {
    const found = execFileSync('which', ['alertmanager'], { encoding: 'utf8' }).trim();
    if (found) return found;
  } catch {
    // not on the PATH either
  }
  throw new Error('No Alertmanager binary: run scripts/ensure-debian-packages.mjs (apt-get install prometheus-alertmanager), or set ALERTMANAGER_BIN');
}

export interface AlertmanagerProcess {
  child: ChildProcess;
  url: string;
  /** Everything it printed so far. */
  log(): string;
  stop(): void;
}

/**
 * Starts Alertmanager with a config file on a free local port, without clustering, and waits
 * for `/-/ready`. A config it refuses makes it exit at once ("Loading configuration file
 * failed"): the start then fails with its output.
 */
export async function startAlertmanager(configFile: string, storageDir: string): Promise<AlertmanagerProcess> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const args = [`--config.file=${configFile}`, `--storage.path=${storageDir}`, `--web.listen-address=127.0.0.1:${port}`, '--cluster.listen-address='];
  const child = spawn(findAlertmanager(), args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout!.on('data', (d) => (log += d));
  child.stderr!.on('data', (d) => (log += d));
  await waitFor('Alertmanager to be ready', async () => {
    if (child.exitCode !== null) throw new Error(`Alertmanager exited with ${child.exitCode}:\n${log}`);
    return (await fetch(`${url}/-/ready`).catch(() => null))?.ok;
  }, 30_000, 200);
  return { child, url, log: () => log, stop: () => child.kill('SIGTERM') };
}
