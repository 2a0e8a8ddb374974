import { SignInLimiter } from '../../server/src/auth/sign-in-limiter';
import { databaseKinds, openTestDatabase, type TestDatabase } from '../support/database';

describe.each(databaseKinds())('sign-in limiter on %s', (kind) => {
  let db: TestDatabase;
  let limiter: SignInLimiter;

  beforeAll(async () => {
    db = await openTestDatabase(kind);
    limiter = new SignInLimiter(db.dataSource);
  });
  afterAll(() => db.close());
  beforeEach(() => db.dataSource.query(`TRUNCATE sign_in_failures`));

  it('delays a key after its free failures, keeps other keys free, and forgets a key on success', async () => {
    for (let i = 0; i < 4; i++) await limiter.fail('ada@example.com|203.0.113.9', 5);
    expect(await limiter.waitMs(['ada@example.com|203.0.113.9'])).toBe(0);
    await limiter.fail('ada@example.com|203.0.113.9', 5);
    const wait = await limiter.waitMs(['ada@example.com|203.0.113.9', '|203.0.113.9']);
    expect(wait).toBeGreaterThan(500);
    expect(wait).toBeLessThanOrEqual(1000);
    // The owner signing in from elsewhere is not held back by the guesser.
    expect(await limiter.waitMs(['ada@example.com|198.51.100.1', '|198.51.100.1'])).toBe(0);
    await limiter.clear('ada@example.com|203.0.113.9');
    expect(await limiter.waitMs(['ada@example.com|203.0.113.9'])).toBe(0);
  });

  it('keeps counting in the database (another limiter, as after a restart or in another process, sees the same)', async () => {
    for (let i = 0; i < 7; i++) await limiter.fail('|198.51.100.7', 5);
    const restarted = new SignInLimiter(db.dataSource);
    const wait = await restarted.waitMs(['|198.51.100.7']);
    expect(wait).toBeGreaterThan(2000);
    expect(wait).toBeLessThanOrEqual(4000);
    const [row] = await db.dataSource.query(`SELECT failures FROM sign_in_failures WHERE key = '|198.51.100.7'`);
    expect(row.failures).toBe(7);
  });
});
