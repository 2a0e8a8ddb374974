import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * The acknowledge link an e-mail carries: `<publicUrl>/ack/<token>`. The token is its own
 * credential (the person opening it has no session), so it names everything the acknowledgement
 * needs — which incident, as whom, until when — plus a nonce that makes it single-use (the
 * nonce is recorded when the link is used), and an HMAC-SHA256 over all of it under the
 * server's secret, so nobody can make one up or change the incident or the person in one.
 *
 *   token = "a1." + base64url(JSON claims) + "." + base64url(HMAC-SHA256(secret, "a1." + claims))
 */
export interface AckClaims {
  /** Incident id. */
  incidentId: number;
  /** The person acknowledging, by their e-mail address (as the contact method stores it). */
  email: string;
  /** Expiry, Unix milliseconds. */
  expiresAt: number;
  /** Random, 128 bits; a used nonce is refused. */
  nonce: string;
}

export type AckVerification =
  | { ok: true; claims: AckClaims }
  | { ok: false; reason: 'malformed' | 'forged' }
  | { ok: false; reason: 'expired'; claims: AckClaims };

const VERSION = 'a1';
/** Longer input is refused before any work: a real token is a few hundred characters. */
const MAX_TOKEN_LENGTH = 1024;

function mac(secret: string, signed: string): Buffer {
  return createHmac('sha256', secret).update(signed).digest();
}

export function newNonce(): string {
  return randomBytes(16).toString('base64url');
}

export function signAckToken(claims: AckClaims, secret: string): string {
  const body = Buffer.from(JSON.stringify({ i: claims.incidentId, u: claims.email, e: claims.expiresAt, n: claims.nonce })).toString('base64url');
  const signed = `${VERSION}.${body}`;
  return `${signed}.${mac(secret, signed).toString('base64url')}`;
}

/**
 * Checks the signature first (a forged token says nothing more, not even whether it expired),
 * then the expiry against `nowMs`. Whether the nonce was used is the caller's question.
 */
export function verifyAckToken(token: string, secret: string, nowMs: number): AckVerification {
  if (token.length > MAX_TOKEN_LENGTH) return { ok: false, reason: 'malformed' };
  const parts = token.split('.');
  if (parts.length !== 3 || parts[0] !== VERSION || !/^[A-Za-z0-9_-]+$/.test(parts[1]) || !/^[A-Za-z0-9_-]+$/.test(parts[2])) {
    return { ok: false, reason: 'malformed' };
  }
  const expected = mac(secret, `${parts[0]}.${parts[1]}`);
  const given = Buffer.from(parts[2], 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'forged' };
  const claims = parseClaims(parts[1]);
  // Signed by us but not in our shape: only a change of format could do that; treat it as unreadable.
  if (!claims) return { ok: false, reason: 'malformed' };
  if (nowMs >= claims.expiresAt) return { ok: false, reason: 'expired', claims };
  return { ok: true, claims };
}

function parseClaims(body: string): AckClaims | null {
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  const r = raw as { i?: unknown; u?: unknown; e?: unknown; n?: unknown };
  if (!Number.isSafeInteger(r.i) || typeof r.u !== 'string' || !Number.isSafeInteger(r.e) || typeof r.n !== 'string') return null;
  return { incidentId: r.i as number, email: r.u, expiresAt: r.e as number, nonce: r.n };
}
