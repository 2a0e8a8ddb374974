import { createHash, randomBytes } from 'node:crypto';

/**
 * API tokens are 32 random bytes, so a plain SHA-256 is enough to store them safely
 * (no password-style stretching needed); lookups stay one indexed query.
 */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function generateToken(prefix = 'hr'): string {
  return `${prefix}_${randomBytes(32).toString('base64url')}`;
}
