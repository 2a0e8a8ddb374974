import { createHmac, timingSafeEqual } from 'node:crypto';
import * as http from 'node:http';
import { FakeHttpServer } from './fake-http-server';

export interface PushRequest {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: Record<string, unknown>;
  /** Whether X-Headroom-Signature matched v2=HMAC-SHA256(secret, "v2:<timestamp>:POST:<url>:<Idempotency-Key>:<body>"). */
  signatureValid: boolean;
  /** What the gateway answered. */
  status: number;
}

/**
 * A push gateway (ntfy, a company relay) as a careful receiver runs it: every request must carry
 * a valid HMAC signature made with the shared secret over the timestamp, the method, the URL it
 * was sent to, the Idempotency-Key and the body, and a recent timestamp (401 otherwise); it
 * delivers once per Idempotency-Key (a repeat is answered 200 and not delivered again), and can
 * be told to answer the next requests with 429 and Retry-After, or any status.
 */
export class FakePushGateway extends FakeHttpServer {
  readonly requests: PushRequest[] = [];
  /** Notifications delivered to a phone: one per Idempotency-Key. */
  readonly delivered = new Map<string, PushRequest>();
  private readonly failures: Array<{ status: number; retryAfter?: string }> = [];

  constructor(private readonly secret: string, private readonly maxAgeSeconds = 300) {
    super();
  }


  /** The next request is answered `status` (with Retry-After when given), after its signature is checked. */
  failNext(status: number, retryAfter?: string): void {
    this.failures.push({ status, retryAfter });
  }

  protected async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const timestamp = Number(req.headers['x-headroom-timestamp']);
    const key = String(req.headers['idempotency-key'] ?? '');
    const signed = `v2:${timestamp}:${req.method}:${this.url}${req.url}:${key}:${raw}`;
    const expected = Buffer.from(`v2=${createHmac('sha256', this.secret).update(signed).digest('hex')}`);
    const given = Buffer.from(String(req.headers['x-headroom-signature'] ?? ''));
    const fresh = Math.abs(Date.now() / 1000 - timestamp) <= this.maxAgeSeconds;
    const signatureValid = fresh && given.length === expected.length && timingSafeEqual(given, expected);
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      // Recorded as empty; the signature check already tells a broken body.
    }
    const answer = (status: number, headers: Record<string, string> = {}) => {
      this.requests.push({ path: req.url ?? '', headers: req.headers, body, signatureValid, status });
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(status < 300 ? { id: key } : { error: status === 401 ? 'bad signature' : 'failed' }));
    };
    if (req.method !== 'POST') return answer(405);
    if (!signatureValid || !key) return answer(401);
    const failure = this.failures.shift();
    if (failure) return answer(failure.status, failure.retryAfter ? { 'retry-after': failure.retryAfter } : {});
    if (!this.delivered.has(key)) this.delivered.set(key, { path: req.url ?? '', headers: req.headers, body, signatureValid, status: 200 });
    answer(200);
  }
}
