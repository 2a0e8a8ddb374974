import { scryptSync } from 'node:crypto';
import * as path from 'node:path';
import { AuditService } from '../../server/src/audit/audit.service';
import { UsersService } from '../../server/src/auth/users.service';
import { ManualClock } from '../../server/src/common/clock';
import { loadConfig } from '../../server/src/config/config';
import { databaseKinds, openTestDatabase, type TestDatabase } from '../support/database';
import { silentLogger } from '../support/test-logger';

describe.each(databaseKinds())('password rehash on sign-in (%s)', (kind) => {
  let db: TestDatabase;
  let users: UsersService;

  beforeAll(async () => {
    db = await openTestDatabase(kind);
    const config = loadConfig({}, path.resolve(__dirname, '../..'));
    users = new UsersService(db.dataSource, new AuditService(db.dataSource), config, new ManualClock(new Date('2026-12-07T12:00:00Z')), silentLogger);
  });
  afterAll(() => db.close());

  it("a hash made with the former scrypt cost is replaced by one at today's cost when its owner signs in", async () => {
    const salt = Buffer.from('fedcba9876543210');
    const old = ['scrypt', 16384, 8, 1, salt.toString('base64url'), scryptSync('an old password here', salt, 32, { N: 16384, r: 8, p: 1 }).toString('base64url')].join('$');
    await db.dataSource.query(`INSERT INTO users (id, email, name, role, password_hash) VALUES ('00000000-0000-4000-8000-000000000001', 'old@example.com', 'Old', 'viewer', $1)`, [old]);
    expect(await users.checkPassword('old@example.com', 'wrong password here')).toBeNull();
    expect((await db.dataSource.query(`SELECT password_hash FROM users WHERE email = 'old@example.com'`))[0].password_hash).toBe(old);
    expect((await users.checkPassword('old@example.com', 'an old password here'))?.email).toBe('old@example.com');
    const [{ password_hash: now }] = await db.dataSource.query(`SELECT password_hash FROM users WHERE email = 'old@example.com'`);
    expect(now).toMatch(/^scrypt\$32768\$8\$3\$/);
    expect((await users.checkPassword('old@example.com', 'an old password here'))?.email).toBe('old@example.com');
  });
});
