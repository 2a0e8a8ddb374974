import { hashPassword, needsRehash, verifyAgainstNothing, verifyPassword } from './password';

describe('password hashing', () => {
  it('verifies the password it hashed and nothing else', async () => {
    const hash = await hashPassword('correct horse battery staple');
    expect(hash).toMatch(/^scrypt\$32768\$8\$3\$[\w-]+\$[\w-]+$/);
    expect(needsRehash(hash)).toBe(false);
    expect(hash).not.toContain('horse');
    await expect(verifyPassword('correct horse battery staple', hash)).resolves.toBe(true);
    await expect(verifyPassword('correct horse battery stapl', hash)).resolves.toBe(false);
  });

  it('salts each hash', async () => {
    expect(await hashPassword('same password here')).not.toBe(await hashPassword('same password here'));
  });

  it('refuses hashes it cannot read instead of throwing', async () => {
    await expect(verifyPassword('x', 'bcrypt$whatever')).resolves.toBe(false);
    await expect(verifyPassword('x', 'scrypt$0$8$1$a$b')).resolves.toBe(false);
    await expect(verifyAgainstNothing('x')).resolves.toBe(false);
  });

  it('still verifies a hash made with the former parameters, and says it needs rehashing', async () => {
    // The previous default, N=2^14, r=8, p=1, for "correct horse battery staple".
    const { scryptSync } = await import('node:crypto');
    const salt = Buffer.from('0123456789abcdef');
    const old = ['scrypt', 16384, 8, 1, salt.toString('base64url'), scryptSync('correct horse battery staple', salt, 32, { N: 16384, r: 8, p: 1 }).toString('base64url')].join('$');
    await expect(verifyPassword('correct horse battery staple', old)).resolves.toBe(true);
    expect(needsRehash(old)).toBe(true);
  });
});
