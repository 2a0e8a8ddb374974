import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { gunzip, inflate } from 'node:zlib';
import { encodeStatus, grpcCodeFor, type OtlpEncoding } from './otlp-proto';

/** The body of an OTLP/HTTP request, read and decompressed, with its encoding. */
export interface OtlpBody {
  encoding: OtlpEncoding;
  buffer: Buffer;
}

type OtlpRequest = IncomingMessage & { otlpBody?: OtlpBody };

const STATUS_TEXT: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 413: 'Payload Too Large', 415: 'Unsupported Media Type', 503: 'Service Unavailable' };

export function encodingOf(contentType: string | undefined): OtlpEncoding | undefined {
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  if (type === 'application/x-protobuf') return 'protobuf';
  if (type === 'application/json') return 'json';
  return undefined;
}

/**
 * An OTLP/HTTP error answer: a google.rpc.Status in the request's encoding, as the OTLP spec
 * asks. JSON answers also carry our usual `statusCode`/`error` fields (OTLP clients ignore them).
 */
export function otlpErrorBody(encoding: OtlpEncoding | undefined, status: number, message: string): { contentType: string; body: Buffer } {
  const code = grpcCodeFor(status);
  if (encoding === 'protobuf') return { contentType: 'application/x-protobuf', body: encodeStatus(code, message) };
  const json = { code, message, statusCode: status, error: STATUS_TEXT[status] ?? 'Error' };
  return { contentType: 'application/json; charset=utf-8', body: Buffer.from(JSON.stringify(json)) };
}

function answer(res: ServerResponse, encoding: OtlpEncoding | undefined, status: number, message: string): void {
  const { contentType, body } = otlpErrorBody(encoding, status, message);
  res.statusCode = status;
  res.setHeader('content-type', contentType);
  res.setHeader('content-length', body.length);
  res.end(body);
}

const megabytes = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(bytes % (1024 * 1024) === 0 ? 0 : 1)} MB`;

/**
 * Express middleware for POST /v1/metrics, mounted before the JSON body parser: reads the raw
 * body of a protobuf or JSON export (gzip or deflate allowed), at most `limitBytes` both on the
 * wire and once decompressed (so a small gzip bomb is refused too). Transport errors are answered
 * here, in the request's encoding: 415 for another content type or encoding, 413 for a body over
 * the limit, 400 for a broken gzip stream. A good body is handed to the route as `@OtlpRequestBody()`.
 */
export function otlpBodyReader(limitBytes: number) {
  return (req: OtlpRequest, res: ServerResponse, next: (err?: unknown) => void): void => {
    if (req.method !== 'POST') return next();
    const encoding = encodingOf(req.headers['content-type']);
    if (!encoding) {
      const got = req.headers['content-type'] ? `got ${req.headers['content-type']}` : 'none given';
      return answer(res, undefined, 415, `Content-Type must be application/x-protobuf or application/json (${got})`);
    }
    const contentEncoding = String(req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
    if (!['identity', 'gzip', 'x-gzip', 'deflate'].includes(contentEncoding)) {
      return answer(res, encoding, 415, `Content-Encoding must be gzip, deflate or identity (got ${contentEncoding})`);
    }
    const tooLarge = `request body larger than the ${megabytes(limitBytes)} limit (HEADROOM_OTLP_MAX_BODY_BYTES); send smaller batches`;
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limitBytes) return answer(res, encoding, 413, tooLarge);

    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const fail = (status: number, message: string) => {
      if (done) return;
      done = true;
      chunks.length = 0;
      answer(res, encoding, status, message);
    };
    req.on('data', (chunk: Buffer) => {
      if (done) return; // the rest of a refused body is read and dropped
      size += chunk.length;
      if (size > limitBytes) return fail(413, tooLarge);
      chunks.push(chunk);
    });
    req.on('error', () => fail(400, 'the request body could not be read'));
    req.on('end', () => {
      if (done) return;
      const raw = Buffer.concat(chunks, size);
      const accept = (buffer: Buffer) => {
        if (done) return;
        done = true;
        req.otlpBody = { encoding, buffer };
        next();
      };
      if (contentEncoding === 'identity') return accept(raw);
      const decompress = contentEncoding === 'deflate' ? inflate : gunzip;
      decompress(raw, { maxOutputLength: limitBytes }, (err, out) => {
        if (!err) return accept(out);
        if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') return fail(413, `decompressed ${tooLarge}`);
        fail(400, `invalid ${contentEncoding} body: ${err.message}`);
      });
    });
  };
}

/** The body read by otlpBodyReader. */
export const OtlpRequestBody = createParamDecorator((_: unknown, ctx: ExecutionContext): OtlpBody | undefined => {
  return ctx.switchToHttp().getRequest<OtlpRequest>().otlpBody;
});
