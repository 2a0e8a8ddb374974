import { json } from 'express';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { HttpException } from '@nestjs/common';
import { isPlainJson, JSON_BODY_LIMIT_BYTES, readJsonBody } from './json-body';

function request(body: string, headers: Record<string, string> = {}): IncomingMessage {
  const stream = Readable.from(body ? [Buffer.from(body)] : []);
  return Object.assign(stream, {
    method: 'POST',
    url: '/',
    headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), ...headers },
  }) as unknown as IncomingMessage;
}

/** What Express's JSON parser (as bootstrap.ts mounts it) makes of a body: the value, or the error status and message. */
function viaExpress(body: string): Promise<unknown> {
  const req = request(body) as IncomingMessage & { body?: unknown };
  return new Promise((resolve) =>
    json({ limit: JSON_BODY_LIMIT_BYTES })(req as never, {} as ServerResponse as never, (err?: unknown) => {
      const e = err as { status?: number; message?: string } | undefined;
      resolve(e ? { status: e.status, message: e.message } : { value: req.body });
    }),
  );
}

function viaFastPath(body: string): Promise<unknown> {
  return readJsonBody(request(body), JSON_BODY_LIMIT_BYTES).then(
    (value) => ({ value }),
    (e: HttpException) => {
      const response = e.getResponse();
      return { status: e.getStatus(), message: typeof response === 'string' ? response : (response as { message: string }).message };
    },
  );
}

describe('the fast path JSON body', () => {
  it('parses and refuses bodies as Express JSON parser does', async () => {
    const bodies = ['{"alerts":[]}', ' \n{"a":1}', '[1,2]', '', '   ', 'null', ' "text"', '42', '{"alerts": [}', '{"a":', '\uFEFF{"bom":true}', '{"u":"\u00e9\ud83d\ude00"}', JSON.stringify({ pad: 'x'.repeat(JSON_BODY_LIMIT_BYTES) })];
    for (const body of bodies) expect({ body: body.slice(0, 40), got: await viaFastPath(body) }).toEqual({ body: body.slice(0, 40), got: await viaExpress(body) });
  });

  it('takes only uncompressed JSON in UTF-8 with a body; the rest is left to Express', () => {
    expect(isPlainJson(request('{}'))).toBe(true);
    expect(isPlainJson(request('{}', { 'content-type': 'application/json; charset=utf-8' }))).toBe(true);
    expect(isPlainJson(request('{}', { 'content-type': 'text/plain' }))).toBe(false);
    expect(isPlainJson(request('{}', { 'content-type': 'application/json; charset=latin1' }))).toBe(false);
    expect(isPlainJson(request('{}', { 'content-encoding': 'gzip' }))).toBe(false);
    const noBody = request('');
    delete noBody.headers['content-length'];
    expect(isPlainJson(noBody)).toBe(false);
  });
});
