import { createHmac } from 'node:crypto';

/** Headers of a signed outgoing webhook (rollback hooks, push notifications). */
export const SIGNATURE_HEADER = 'X-Headroom-Signature';
export const TIMESTAMP_HEADER = 'X-Headroom-Timestamp';

/**
 * `v2=` and the hex HMAC-SHA256 of `v2:<timestamp>:<method>:<url>:<id>:<body>`: the timestamp
 * keeps a captured request from being replayed later, and the method, the URL and the id (a
 * rollback execution, a push's outbox key) keep a signed body from being sent to another
 * endpoint or passed off as another request (v1 signed the timestamp and body only).
 */
export function webhookSignature(secret: string, req: { timestamp: number; method: string; url: string; id: string | number; body: string }): string {
  return `v2=${createHmac('sha256', secret).update(`v2:${req.timestamp}:${req.method}:${req.url}:${req.id}:${req.body}`).digest('hex')}`;
}
