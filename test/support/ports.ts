import * as net from 'node:net';

/** A TCP port free on 127.0.0.1 right now, for a process the test starts (Prometheus, Alertmanager, a listener). */
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
