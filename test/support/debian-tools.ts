import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';

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
