import { createParamDecorator, HttpException, type ExecutionContext } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { gunzip, inflate } from 'node:zlib';
import { encodeStatus, grpcCodeFor, type OtlpEncoding } from './otlp-proto';

/** The body of an OTLP/HTTP request, read and decompressed, with its encoding. */
export interface OtlpBody {
  encoding: OtlpEncoding;
  buffer: Buffer;
}

type OtlpRequest = IncomingMessage & { otlp?: { encoding: OtlpEncoding; read(): Promise<OtlpBody> } };

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

/** A transport error of an OTLP body (413, 400, 503): OtlpExceptionFilter answers it in the request's encoding. */
export class OtlpBodyError extends HttpException {
  constructor(status: number, message: string) {
    super({ statusCode: status, message }, status);
  }
}

/**
 * Express middleware for POST /v1/metrics, mounted before the JSON body parser. It checks what
 * the headers say — 415 for another content type or encoding, 413 for a declared length over
 * the limit — and reads nothing: the body is read by `@OtlpRequestBody()`, which Nest resolves
 * after the integration key guard, so a request with a bad key costs no memory and no
 * decompression. At most `maxInFlight` bodies are read at once (503 with Retry-After beyond),
 * which bounds the memory all exports together can take.
 */
export function otlpBodyReader(limitBytes: number, maxInFlight: number) {
  let inFlight = 0;
  return (req: OtlpRequest, res: ServerResponse, next: (err?: unknown) => void): void => {
    if (req.method !== 'POST') return next();
    const encoding = encodingOf(req.headers['content-type']);
    // These answers leave the body unread: the connection closes rather than drain it.
    if (!encoding) {
      const got = req.headers['content-type'] ? `got ${req.headers['content-type']}` : 'none given';
      res.setHeader('connection', 'close');
      return answer(res, undefined, 415, `Content-Type must be application/x-protobuf or application/json (${got})`);
    }
    const contentEncoding = String(req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
    if (!['identity', 'gzip', 'x-gzip', 'deflate'].includes(contentEncoding)) {
      res.setHeader('connection', 'close');
      return answer(res, encoding, 415, `Content-Encoding must be gzip, deflate or identity (got ${contentEncoding})`);
    }
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limitBytes) {
      res.setHeader('connection', 'close');
      return answer(res, encoding, 413, tooLargeMessage(limitBytes));
    }
    req.otlp = {
      encoding,
      read: async () => {
        if (inFlight >= maxInFlight) throw new OtlpBodyError(503, `more than ${maxInFlight} OTLP exports are being read at once (HEADROOM_OTLP_MAX_BODIES_IN_FLIGHT); retry later`);
        inFlight++;
        try {
          return { encoding, buffer: await readBody(req, contentEncoding, limitBytes) };
        } finally {
          inFlight--;
        }
      },
    };
    next();
  };
}

const tooLargeMessage = (limitBytes: number) => `request body larger than the ${megabytes(limitBytes)} limit (HEADROOM_OTLP_MAX_BODY_BYTES); send smaller batches`;

/** The raw body, at most `limitBytes` both on the wire and once decompressed (so a small gzip bomb is refused too). */
function readBody(req: IncomingMessage, contentEncoding: string, limitBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const fail = (status: number, message: string) => {
      if (done) return;
      done = true;
      chunks.length = 0;
      // Stop reading a refused body; the answer closes the connection.
      req.pause();
      reject(new OtlpBodyError(status, message));
    };
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > limitBytes) return fail(413, tooLargeMessage(limitBytes));
      chunks.push(chunk);
    });
    req.on('error', () => fail(400, 'the request body could not be read'));
    req.on('end', () => {
      if (done) return;
      done = true;
      const raw = Buffer.concat(chunks, size);
      if (contentEncoding === 'identity') return resolve(raw);
      const decompress = contentEncoding === 'deflate' ? inflate : gunzip;
      decompress(raw, { maxOutputLength: limitBytes }, (err, out) => {
        if (!err) return resolve(out);
        if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') return reject(new OtlpBodyError(413, `decompressed ${tooLargeMessage(limitBytes)}`));
        reject(new OtlpBodyError(400, `invalid ${contentEncoding} body: ${err.message}`));
      });
    });
  });
}

/** The body of the export, read now (after the guard accepted the key). */
export const OtlpRequestBody = createParamDecorator((_: unknown, ctx: ExecutionContext): Promise<OtlpBody> | undefined => {
  return ctx.switchToHttp().getRequest<OtlpRequest>().otlp?.read();
});

/** Whether otlpBodyReader took the request (the JSON parser must then leave its body alone). */
export function isOtlpExport(req: IncomingMessage): boolean {
  return (req as OtlpRequest).otlp !== undefined;
}
