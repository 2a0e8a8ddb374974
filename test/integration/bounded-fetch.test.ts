import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { boundedFetch } from '../../server/src/common/bounded-fetch';

/** A server that answers by path: redirects, big bodies (declared or chunked), and what Authorization it saw. */
async function server(handler: http.RequestListener): Promise<{ url: string; close(): Promise<void> }> {
  const s = http.createServer(handler);
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(s.address() as AddressInfo).port}`, close: () => new Promise((r) => s.close(() => r())) };
}

describe('boundedFetch (Prometheus and experiment-platform answers)', () => {
  const seen: Array<string | undefined> = [];
  let elsewhere: Awaited<ReturnType<typeof server>>;
  let home: Awaited<ReturnType<typeof server>>;

  beforeAll(async () => {
    elsewhere = await server((req, res) => {
      seen.push(req.headers.authorization);
      res.end('{"stolen":true}');
    });
    home = await server((req, res) => {
      if (req.url === '/moved') return void res.writeHead(302, { location: '/api/v1/query' }).end();
      if (req.url === '/away') return void res.writeHead(302, { location: `${elsewhere.url}/collect` }).end();
      if (req.url === '/big') return void res.writeHead(200, { 'content-length': String(2048) }).end('x'.repeat(2048));
      if (req.url === '/chunked') {
        res.writeHead(200);
        for (let i = 0; i < 8; i++) res.write('y'.repeat(512));
        return void res.end();
      }
      res.end('{"status":"success"}');
    });
  });
  afterAll(async () => {
    await home.close();
    await elsewhere.close();
  });

  it('follows a redirect within the same origin', async () => {
    const res = await boundedFetch(`${home.url}/moved`, { headers: { authorization: 'Bearer secret' } }, 1024);
    expect(await res.text()).toBe('{"status":"success"}');
  });

  it('does not follow a redirect to another host: the credentials never leave', async () => {
    await expect(boundedFetch(`${home.url}/away`, { headers: { authorization: 'Bearer secret' } }, 1024)).rejects.toThrow(`redirected to another host (${elsewhere.url}); not followed`);
    expect(seen).toEqual([]);
  });

  it('refuses an answer over the limit, declared or streamed', async () => {
    await expect(boundedFetch(`${home.url}/big`, {}, 1024)).rejects.toThrow('answer of 2048 bytes is over the 1024-byte limit');
    await expect(boundedFetch(`${home.url}/chunked`, {}, 1024)).rejects.toThrow('answer over the 1024-byte limit');
    expect(await (await boundedFetch(`${home.url}/chunked`, {}, 8192)).text()).toHaveLength(4096);
  });
});
