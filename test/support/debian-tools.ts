import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import { waitFor } from './headroom-process';

/**
 * The real binaries tests run (Debian's packages, installed by scripts/ensure-debian-packages.mjs),
 * found at an override variable, the Debian path, or on the PATH.
 */
function findBinary(what: string, override: string | undefined, paths: string[], onPath: string, pkg: string): string {
  for (const c of [override, ...paths].filter(Boolean) as string[]) if (fs.existsSync(c)) return c;
  try {
    const found = execFileSync('which', [onPath], { encoding: 'utf8' }).trim();
    if (found) return found;
  } catch {
    // not on the PATH either
  }
  throw new Error(`No ${what} binary: run scripts/ensure-debian-packages.mjs (apt-get install ${pkg})`);
}

export const findAlertmanager = () =>
  findBinary('Alertmanager', process.env.ALERTMANAGER_BIN, ['/usr/bin/prometheus-alertmanager', '/usr/local/bin/alertmanager'], 'alertmanager', 'prometheus-alertmanager, or set ALERTMANAGER_BIN');

export const findPrometheus = () => findBinary('Prometheus', process.env.PROMETHEUS_BIN, ['/usr/bin/prometheus', '/usr/local/bin/prometheus'], 'prometheus', 'prometheus, or set PROMETHEUS_BIN');

/** A TCP port nobody listens on right now (for a child process to bind). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  /** Everything it printed so far. */
  log(): string;
  stop(): void;
}

/**
 * Starts Prometheus or Alertmanager on a free local port and waits for `/-/ready`; a process
 * that exits first (a config it refuses) fails with its output.
 */
export async function startPrometheusServer(binary: string, args: string[], what: string): Promise<ServerProcess> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(binary, [...args, `--web.listen-address=127.0.0.1:${port}`], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout!.on('data', (d) => (log += d));
  child.stderr!.on('data', (d) => (log += d));
  await waitFor(`${what} to be ready`, async () => {
    if (child.exitCode !== null) throw new Error(`${what} exited with ${child.exitCode}:\n${log}`);
    return (await fetch(`${url}/-/ready`).catch(() => null))?.ok;
  }, 30_000, 200);
  return { child, url, log: () => log, stop: () => child.kill('SIGTERM') };
}
