import { createHmac, timingSafeEqual } from 'node:crypto';
import * as http from 'node:http';
import { FakeHttpServer } from './fake-http-server';
import { seededRandom } from '../support/seeded-random';

export interface DeployRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** Whether X-Headroom-Signature matched v2=HMAC-SHA256(secret, "v2:<timestamp>:<method>:<url>:<execution>:<body>"). */
  signatureValid: boolean;
  at: number;
}

/**
 * A fake deploy system that receives rollback hooks the way a real receiver should: it checks
 * the signature and the timestamp's age (401 otherwise), records every request, acts once per
 * Idempotency-Key (a repeat is answered as the first was, as Stripe and most deploy APIs do),
 * and can be told to fail the next N requests (5xx), to hang past the caller's timeout, or to
 * fail at random: refuse, reset the connection, or act and lose the answer.
 */
export class FakeDeploy extends FakeHttpServer {
  readonly requests: DeployRequest[] = [];
  private failures: number[] = [];
  private hangMs = 0;
  /** The first request of each Idempotency-Key that was acted on (a rollback started). */
  readonly acted = new Map<string, DeployRequest>();
  private randomFailureRate = 0;
  private lostAnswerRate = 0;
  private random: () => number = Math.random;

  constructor(private readonly secret: string, private readonly maxAgeSeconds = 300) {
    super();
  }


  /** The next `n` requests answer `status` (e.g. 503). */
  failNext(n: number, status = 503): void {
    for (let i = 0; i < n; i++) this.failures.push(status);
  }

  /** Every request waits this long before answering (0: answer at once). */
  hang(ms: number): void {
    this.hangMs = ms;
  }

  /**
   * From now on a share `rate` of requests fails before anything is done (503 or a reset
   * connection, half and half), and a share `lostAnswers` of those acted on is answered 500 (the
   * answer lost on its way back). Seeded, so a run can be repeated.
   */
  failRandomly(rate: number, seed: number, lostAnswers = 0): void {
    this.randomFailureRate = rate;
    this.lostAnswerRate = lostAnswers;
    this.random = seededRandom(seed);
  }

  reset(): void {
    this.requests.length = 0;
    this.failures = [];
    this.hangMs = 0;
  }

  /** The receiver's side of the recipe in docs/rollback.md; the URL is the one it gave Headroom (this fake's, and the path asked). */
  verify(method: string, path: string, headers: http.IncomingHttpHeaders, body: string): boolean {
    const timestamp = Number(headers['x-headroom-timestamp']);
    const given = String(headers['x-headroom-signature'] ?? '');
    if (!Number.isFinite(timestamp) || Math.abs(Date.now() / 1000 - timestamp) > this.maxAgeSeconds) return false;
    const signed = `v2:${timestamp}:${method}:${this.url}${path}:${headers['x-headroom-execution']}:${body}`;
    const expected = `v2=${createHmac('sha256', this.secret).update(signed).digest('hex')}`;
    return given.length === expected.length && timingSafeEqual(Buffer.from(given), Buffer.from(expected));
  }

  protected async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const signatureValid = this.verify(req.method ?? '', req.url ?? '', req.headers, body);
    this.requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body, signatureValid, at: Date.now() });
    if (this.hangMs > 0) await new Promise((r) => setTimeout(r, this.hangMs));
    if (res.destroyed) return;
    const send = (status: number, json: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(json));
    };
    if (!signatureValid) return send(401, { error: 'bad signature' });
    const failure = this.failures.shift();
    if (failure) return send(failure, { error: 'deploy system unavailable' });
    if (this.randomFailureRate > 0 && this.random() < this.randomFailureRate) {
      return this.random() < 0.5 ? send(503, { error: 'deploy system unavailable' }) : void req.socket.destroy();
    }
    const key = String(req.headers['idempotency-key'] ?? '');
    if (key && this.acted.has(key)) return send(202, { rollback: 'started', replayed: true });
    if (key) this.acted.set(key, this.requests[this.requests.length - 1]);
    if (this.lostAnswerRate > 0 && this.random() < this.lostAnswerRate) return send(500, { error: 'internal error' });
    send(202, { rollback: 'started' });
  }
}
