import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import { ManualClock } from '../../server/src/common/clock';
import { loadConfig } from '../../server/src/config/config';
import { OncallService } from '../../server/src/oncall/oncall.service';
import { databaseKinds, openTestDatabase, type TestDatabase } from '../support/database';
import { oncallService } from '../support/services';
import { addUser } from '../support/users';

const root = path.resolve(__dirname, '../..');
const alice = { type: 'user' as const, id: 'u-alice', name: 'alice' };


describe.each(databaseKinds())('on-call schedules on %s', (kind) => {
  let db: TestDatabase;
  let oncall: OncallService;
  // Wednesday 2 December 2026, 12:00 London: week 1 of the rotation (from Monday 30 November).
  const clock = new ManualClock(new Date('2026-12-02T12:00:00Z'));

  beforeAll(async () => {
    db = await openTestDatabase(kind);
    const config = loadConfig({ HEADROOM_ALERTS_DIR: 'test/fixtures/oncall', HEADROOM_PUBLIC_URL: 'https://headroom.example.com' }, root);
    oncall = oncallService(db.dataSource, config, clock);
  });
  afterAll(() => db.close());
  beforeEach(() => db.dataSource.query(`TRUNCATE users, schedule_overrides, audit_log RESTART IDENTITY CASCADE`));

  it('resolves who is on call to users, and reports and skips a participant who is not a user', async () => {
    await addUser(db, 'alice@example.com', 'Alice');
    await addUser(db, 'bob@example.com', 'Bob');
    const list = await oncall.list();
    expect(list.map((s) => s.id)).toEqual(['ranker-primary', 'retrieval']);
    expect(list[0].onCallNow).toMatchObject({ user: { email: 'alice@example.com', name: 'Alice' }, layer: 'weekly', source: 'rotation' });
    // carol is not a user: her only layer is left out, so nobody is on call for retrieval.
    expect(list[1].onCallNow).toBeNull();
    const status = await oncall.status();
    expect(status.participants.map((p) => [p.schedule, p.user])).toEqual([
      ['ranker-primary', 'ghost@example.com'],
      ['retrieval', 'carol@example.com'],
    ]);
    // ghost is skipped: the rotation turns over alice and bob.
    const detail = await oncall.detail('ranker-primary', '2026-11-30T09:00:00Z', '2026-12-21T09:00:00Z');
    expect((detail.shifts as Array<{ user: { email: string } }>).map((s) => s.user.email)).toEqual(['alice@example.com', 'bob@example.com', 'alice@example.com']);
  });

  it('stores an override from the API, audits it, and merges it over the rotation', async () => {
    await addUser(db, 'alice@example.com', 'Alice');
    await addUser(db, 'bob@example.com', 'Bob');
    const saved = await oncall.addOverride('ranker-primary', { user: 'BOB@example.com', start: '2026-12-02T11:00:00Z', end: '2026-12-02T15:00:00Z' }, alice);
    expect(saved).toMatchObject({ user: 'bob@example.com', createdBy: 'alice' });
    const now = await oncall.onCallNow();
    expect(now[0]).toMatchObject({ schedule: { id: 'ranker-primary' }, onCall: { user: { email: 'bob@example.com' }, source: 'override', layer: null } });
    const detail = await oncall.detail('ranker-primary', '2026-12-02T00:00:00Z');
    expect(detail.to).toEqual(new Date('2026-12-16T00:00:00Z'));
    const shifts = detail.shifts as Array<{ user: { email: string }; override: boolean; start: Date }>;
    expect(shifts.slice(0, 3).map((s) => [s.user.email, s.override])).toEqual([
      ['alice@example.com', false],
      ['bob@example.com', true],
      ['alice@example.com', false],
    ]);
    expect(detail.overrides).toEqual([expect.objectContaining({ origin: 'api', user: 'bob@example.com' })]);
    const [audit] = await db.dataSource.query(`SELECT action, actor_name FROM audit_log`);
    expect(audit).toEqual({ action: 'schedule.override-added', actor_name: 'alice' });
    await expect(oncall.addOverride('ranker-primary', { user: 'nobody@example.com', start: '2026-12-02T11:00:00Z', end: '2026-12-02T15:00:00Z' }, alice)).rejects.toMatchObject({ status: 400 });
    await expect(oncall.addOverride('ranker-primary', { user: 'bob@example.com', start: '2026-12-02T15:00:00Z', end: '2026-12-02T11:00:00Z' }, alice)).rejects.toMatchObject({ status: 400 });
    await expect(oncall.addOverride('nope', { user: 'bob@example.com', start: '2026-12-02T11:00:00Z', end: '2026-12-02T15:00:00Z' }, alice)).rejects.toMatchObject({ status: 404 });
  });

  it('exports iCal feeds per schedule and per user', async () => {
    const aliceId = await addUser(db, 'alice@example.com', 'Alice');
    await addUser(db, 'bob@example.com', 'Bob');
    const feed = await oncall.scheduleCalendar('ranker-primary');
    expect(feed).toContain('BEGIN:VCALENDAR');
    expect(feed).toContain('SUMMARY:On call: Ranking primary (weekly): alice@example.com');
    const mine = await oncall.userCalendar(aliceId);
    expect(mine).toContain('X-WR-CALNAME:On call: Alice');
    expect(mine).not.toContain('bob@example.com');
    await expect(oncall.userCalendar(randomUUID())).rejects.toMatchObject({ status: 404 });
  });
});
