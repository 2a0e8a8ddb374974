import { BadRequestException, HttpException, HttpStatus } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';

/** Largest JSON request body, for Express's JSON parser (bootstrap.ts) and the fast paths alike. */
export const JSON_BODY_LIMIT_BYTES = 1024 * 1024;

/** Whether the body is `application/json` (the type Express's JSON parser takes by default), whatever its parameters. */
export function isJsonType(req: IncomingMessage): boolean {
  return (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase() === 'application/json';
}

/** `application/json`, in UTF-8 (said or implied), not compressed: what a fast path reads itself. */
const PLAIN_JSON = /^application\/json\s*(?:;\s*charset\s*=\s*"?utf-8"?\s*)?$/i;

/**
 * A request whose body `readJsonBody` reads exactly as Express's JSON parser would. Anything
 * else (another type or charset, a compressed body, no body at all) is left to that parser.
 */
export function isPlainJson(req: IncomingMessage): boolean {
  const { headers } = req;
  const encoding = headers['content-encoding'];
  return (
    (headers['content-length'] !== undefined || headers['transfer-encoding'] !== undefined) &&
    PLAIN_JSON.test(headers['content-type'] ?? '') &&
    (encoding === undefined || encoding.toLowerCase() === 'identity')
  );
}

/** The answer body-parser gives a body over its limit (Nest maps it to this). */
export const tooLarge = () => new HttpException('request entity too large', HttpStatus.PAYLOAD_TOO_LARGE);

/**
 * Reads and parses a JSON request body of at most `limitBytes`, with the answers Express's JSON
 * parser (body-parser, strict) gives through Nest: 413 over the limit, 400 with the parser's
 * message for malformed JSON or a top-level value that is not an object or array, `{}` for an
 * empty body.
 */
export function readJsonBody(req: IncomingMessage, limitBytes: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    if (Number(req.headers['content-length']) > limitBytes) return reject(tooLarge());
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limitBytes) return void chunks.push(chunk);
      // Stop reading; the answer closes the connection rather than draining the rest.
      req.removeListener('data', onData);
      req.pause();
      reject(tooLarge());
    };
    req.on('data', onData);
    req.once('error', reject);
    req.once('end', () => {
      try {
        resolve(parseStrictJson(chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks, size).toString('utf8')));
      } catch (err) {
        reject(new BadRequestException((err as Error).message, { cause: err }));
      }
    });
  });
}

/** body-parser's strict JSON: a leading BOM dropped, `{}` for nothing, only an object or array at the top. */
export function parseStrictJson(text: string): unknown {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (body.length === 0) return {};
  if (body[0] !== '{' && body[0] !== '[') {
    const first = /^[\x20\x09\x0a\x0d]*([^\x20\x09\x0a\x0d]|$)/.exec(body)?.[1];
    if (first !== '{' && first !== '[') throw strictViolation(body, first ?? '');
  }
  return JSON.parse(body);
}

/** The error body-parser makes for a top-level scalar: JSON.parse's message, with the text quoted as sent. */
function strictViolation(body: string, first: string): SyntaxError {
  const index = first ? body.indexOf(first) : -1;
  const partial = index === -1 ? '' : body.slice(0, index) + '#'.repeat(body.length - index);
  try {
    JSON.parse(partial);
    return new SyntaxError('strict violation');
  } catch (err) {
    return new SyntaxError((err as Error).message.replace(/#+/g, (run) => body.substring(index, index + run.length)));
  }
}
