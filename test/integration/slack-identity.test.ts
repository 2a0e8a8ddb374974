import * as path from 'node:path';
import { AuditService } from '../../server/src/audit/audit.service';
import type { SlackDirectory } from '../../server/src/auth/slack-directory';
import { SlackIdentityService } from '../../server/src/auth/slack-identity';
import { ManualClock } from '../../server/src/common/clock';
import { loadConfig } from '../../server/src/config/config';
import { databaseKinds, openTestDatabase, type TestDatabase } from '../support/database';
import { silentLogger } from '../support/test-logger';
import { addUser } from '../support/users';

const root = path.resolve(__dirname, '../..');

/** A Slack workspace in memory that counts the questions it is asked and can fail like Slack. */
class FakeDirectory implements SlackDirectory {
  readonly members = new Map<string, string>([['U0ALICE', 'Alice@Example.com'], ['U0VIC', 'vic@example.com'], ['U0DORA', 'dora@example.com']]);
  asked = 0;
  failWith: string | null = null;
  async emailOf(slackUserId: string) {
    return this.answer(() => this.members.get(slackUserId) ?? null);
  }
  async idForEmail(email: string) {
    return this.answer(() => [...this.members].find(([, e]) => e.toLowerCase() === email.toLowerCase())?.[0] ?? null);
  }
  private answer(f: () => string | null) {
    this.asked++;
    if (this.failWith) throw Object.assign(new Error(`An API error occurred: ${this.failWith}`), { data: { error: this.failWith } });
    return f();
  }
}

describe.each(databaseKinds())('Slack identity and roles on %s', (kind) => {
  let db: TestDatabase;
  let identity: SlackIdentityService;
  let directory: FakeDirectory;
  let wall = 0;
  const clock = new ManualClock(new Date('2026-12-02T12:00:00Z'));
  const config = loadConfig({ HEADROOM_SLACK_RESPONDERS: 'U0LISTED' }, root);
  const slackIdOf = async (email: string) => (await db.dataSource.query(`SELECT slack_user_id FROM users WHERE email = $1`, [email]))[0].slack_user_id;
  const audits = () => db.dataSource.query(`SELECT actor_type, actor_name, action, before, after FROM audit_log ORDER BY id`);

  beforeAll(async () => {
    db = await openTestDatabase(kind);
  });
  afterAll(() => db.close());
  beforeEach(async () => {
    await db.dataSource.query(`TRUNCATE users, audit_log RESTART IDENTITY CASCADE`);
    directory = new FakeDirectory();
    identity = new SlackIdentityService(db.dataSource, new AuditService(db.dataSource), config, clock, silentLogger, directory);
    wall = 1_000_000;
    identity.wallNow = () => wall;
  });

  it('finds a user by stored Slack id without asking Slack, and lets a responder act under their own name', async () => {
    await addUser(db, 'rae@example.com', 'Rae', 'U0RAE');
    expect(await identity.authorize('U0RAE', 'rae-slack')).toEqual({
      actor: { type: 'slack', id: 'U0RAE', name: 'Rae' }, user: expect.objectContaining({ email: 'rae@example.com', role: 'responder' }), allowed: true, refusal: null,
    });
    expect(directory.asked).toBe(0);
  });

  it('matches an unknown Slack id by its profile email (any case), stores it and audits it as a system change', async () => {
    await addUser(db, 'alice@example.com', 'Alice');
    expect(await identity.userFor('U0ALICE')).toMatchObject({ name: 'Alice', role: 'responder' });
    expect(await slackIdOf('alice@example.com')).toBe('U0ALICE');
    expect(await audits()).toEqual([{ actor_type: 'system', actor_name: 'Slack user lookup', action: 'user.updated', before: { slackUserId: null }, after: { slackUserId: 'U0ALICE' } }]);
    // Linked now: the next click needs no Slack call.
    await identity.userFor('U0ALICE');
    expect(directory.asked).toBe(1);
  });

  it('refuses a viewer and a stranger, saying why; the allow-list still lets its ids act', async () => {
    await addUser(db, 'vic@example.com', 'Vic', null, 'viewer');
    expect(await identity.authorize('U0VIC', 'vic')).toMatchObject({ allowed: false, actor: { name: 'Vic' }, refusal: expect.stringContaining('your Headroom role is viewer') });
    expect(await identity.authorize('U0NOBODY', 'nobody')).toMatchObject({ allowed: false, user: null, actor: { name: 'nobody' }, refusal: expect.stringContaining('not linked to a Headroom user') });
    expect(await identity.authorize('U0LISTED', 'listed')).toMatchObject({ allowed: true, user: null, actor: { type: 'slack', id: 'U0LISTED', name: 'listed' } });
  });

  it('does not link a disabled user, nor one whose Slack id was set to another account', async () => {
    const dora = await addUser(db, 'dora@example.com', 'Dora');
    await db.dataSource.query(`UPDATE users SET disabled_at = now() WHERE id = $1`, [dora]);
    expect(await identity.userFor('U0DORA')).toBeNull();
    await addUser(db, 'alice@example.com', 'Alice', 'U0OTHER');
    expect(await identity.userFor('U0ALICE')).toBeNull();
    expect(await slackIdOf('alice@example.com')).toBe('U0OTHER');
    expect(await audits()).toEqual([]);
  });

  it('treats a Slack error as unknown, caches answers briefly, and asks again after the cache expires', async () => {
    await addUser(db, 'alice@example.com', 'Alice');
    directory.failWith = 'missing_scope';
    expect(await identity.authorize('U0ALICE', 'alice')).toMatchObject({ allowed: false, user: null });
    expect(await identity.userFor('U0ALICE')).toBeNull();
    expect(directory.asked).toBe(1);
    directory.failWith = null;
    wall += identity.cacheTtlMs + 1;
    expect(await identity.userFor('U0ALICE')).toMatchObject({ name: 'Alice' });
    expect(directory.asked).toBe(2);
  });

  it('slackIdFor: the stored id, or one looked up by email and stored (also inside a transaction); null when Slack does not know', async () => {
    const rae = await addUser(db, 'rae@example.com', 'Rae', 'U0RAE');
    expect(await identity.slackIdFor({ id: rae, email: 'rae@example.com', slackUserId: 'U0RAE' })).toBe('U0RAE');
    expect(directory.asked).toBe(0);
    const alice = await addUser(db, 'alice@example.com', 'Alice');
    expect(await db.dataSource.transaction((m) => identity.slackIdFor({ id: alice, email: 'alice@example.com', slackUserId: null }, m))).toBe('U0ALICE');
    expect(await slackIdOf('alice@example.com')).toBe('U0ALICE');
    const nobody = await addUser(db, 'nobody@example.com', 'Nobody');
    expect(await identity.slackIdFor({ id: nobody, email: 'nobody@example.com', slackUserId: null })).toBeNull();
    expect((await audits()).map((a: { after: unknown }) => a.after)).toEqual([{ slackUserId: 'U0ALICE' }]);
  });

  it('without Slack configured answers from the database only', async () => {
    const offline = new SlackIdentityService(db.dataSource, new AuditService(db.dataSource), config, clock, silentLogger, null);
    await addUser(db, 'alice@example.com', 'Alice');
    expect(await offline.userFor('U0ALICE')).toBeNull();
    expect(await offline.slackIdFor({ id: 'x', email: 'alice@example.com', slackUserId: null })).toBeNull();
  });
});
