import { createHmac } from 'node:crypto';
import { newNonce, signAckToken, verifyAckToken, type AckClaims } from './ack-token';

const SECRET = 'a-secret-of-at-least-thirty-two-chars!';
const NOW = Date.parse('2026-12-08T03:00:00Z');
const claims: AckClaims = { incidentId: 42, email: 'rae@example.com', expiresAt: NOW + 24 * 3600_000, nonce: 'n0nce-n0nce-n0nce' };

/** The token with one character of part `index` changed (to another base64url character). */
function flip(token: string, index: number, at = 5): string {
  const parts = token.split('.');
  const p = parts[index];
  parts[index] = p.slice(0, at) + (p[at] === 'A' ? 'B' : 'A') + p.slice(at + 1);
  return parts.join('.');
}

describe('acknowledge link tokens', () => {
  it('verifies what it signed, with every claim intact, until the moment it expires', () => {
    const token = signAckToken(claims, SECRET);
    expect(token).toMatch(/^a1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(verifyAckToken(token, SECRET, NOW)).toEqual({ ok: true, claims });
    expect(verifyAckToken(token, SECRET, claims.expiresAt - 1)).toEqual({ ok: true, claims });
    expect(verifyAckToken(token, SECRET, claims.expiresAt)).toEqual({ ok: false, reason: 'expired', claims });
  });

  it('refuses a token signed under another secret as forged', () => {
    const token = signAckToken(claims, 'another-secret-of-thirty-two-characters');
    expect(verifyAckToken(token, SECRET, NOW)).toEqual({ ok: false, reason: 'forged' });
  });

  it('refuses a changed claim (another incident, another person, a later expiry) or a changed signature as forged', () => {
    const token = signAckToken(claims, SECRET);
    const [v, , sig] = token.split('.');
    for (const changed of [{ incidentId: 43 }, { email: 'mallory@example.com' }, { expiresAt: claims.expiresAt + 3600_000 }]) {
      const body = signAckToken({ ...claims, ...changed }, 'whatever').split('.')[1];
      expect(verifyAckToken(`${v}.${body}.${sig}`, SECRET, NOW)).toEqual({ ok: false, reason: 'forged' });
    }
    expect(verifyAckToken(flip(token, 1), SECRET, NOW)).toEqual({ ok: false, reason: 'forged' });
    expect(verifyAckToken(flip(token, 2), SECRET, NOW)).toEqual({ ok: false, reason: 'forged' });
    // A truncated signature is not a shorter valid one.
    expect(verifyAckToken(token.slice(0, -4), SECRET, NOW)).toEqual({ ok: false, reason: 'forged' });
  });

  it('says an expired token is expired only when its signature is ours', () => {
    const old = signAckToken({ ...claims, expiresAt: NOW - 1 }, SECRET);
    expect(verifyAckToken(old, SECRET, NOW)).toMatchObject({ ok: false, reason: 'expired' });
    expect(verifyAckToken(old, 'another-secret-of-thirty-two-characters', NOW)).toEqual({ ok: false, reason: 'forged' });
  });

  it('calls anything not shaped like a token malformed, without reading it further', () => {
    for (const bad of ['', 'a1', 'a1.x', 'a1.x.y.z', 'a2.eyJ9.c2ln', 'a1.ab+c.def', 'a1.abc.de/f', `a1.${'x'.repeat(2000)}.y`]) {
      expect(verifyAckToken(bad, SECRET, NOW)).toEqual({ ok: false, reason: 'malformed' });
    }
    // Signed with our secret, but not the claims we write: unreadable, not trusted.
    const body = Buffer.from(JSON.stringify({ i: '42', u: 'rae@example.com', e: NOW + 1000, n: 'x' })).toString('base64url');
    const sig = createHmac('sha256', SECRET).update(`a1.${body}`).digest('base64url');
    expect(verifyAckToken(`a1.${body}.${sig}`, SECRET, NOW)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('makes a different nonce every time', () => {
    const nonces = new Set(Array.from({ length: 100 }, newNonce));
    expect(nonces.size).toBe(100);
    for (const n of nonces) expect(n).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });
});
