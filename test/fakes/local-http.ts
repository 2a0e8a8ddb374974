import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A fake's HTTP server on a free port of 127.0.0.1, and its base URL. */
export async function listenLocally(handle: (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void>): Promise<{ server: http.Server; url: string }> {
  const server = http.createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** Closes a fake's server, its kept-alive connections included (a test's end must not wait for them). */
export async function closeLocally(server: http.Server | undefined): Promise<void> {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => server?.close(() => resolve()) ?? resolve());
}
