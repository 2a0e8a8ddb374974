import { OutboxService } from '../../server/src/outbox/outbox.service';
import { databaseKinds, openTestDatabase, type TestDatabase } from '../support/database';
import { outboxService } from '../support/services';

describe.each(databaseKinds())('outbox on %s', (kind) => {
  let db: TestDatabase;
  let outbox: OutboxService;

  beforeAll(async () => {
    db = await openTestDatabase(kind);
    outbox = outboxService(db.dataSource);
  });
  afterAll(() => db.close());
  beforeEach(() => db.dataSource.query(`TRUNCATE outbox RESTART IDENTITY`));

  const enqueue = (key: string, incidentId: number | null, topic = 'incident.acknowledged') =>
    db.dataSource.transaction((m) => outbox.enqueue(m, { key, topic, incidentId }));

  it('never queues the same key twice', async () => {
    await enqueue('incident:1:page', 1, 'incident.triggered');
    await enqueue('incident:1:page', 1, 'incident.triggered');
    expect(await outbox.pendingCount()).toBe(1);
  });

  it('holds an incident’s updates until its page is sent, and keeps incidents independent', async () => {
    await enqueue('incident:1:page', 1, 'incident.triggered');
    await enqueue('incident:1:ack', 1);
    await enqueue('incident:2:page', 2, 'incident.triggered');
    const first = await outbox.claim(10);
    expect(first.map((m) => m.key)).toEqual(['incident:1:page', 'incident:2:page']);
    expect(first.every((m) => m.attempts === 1 && m.status === 'sending')).toBe(true);
    expect(await outbox.claim(10)).toEqual([]);
    await outbox.markSent(first[0], { ts: '1.1' });
    expect((await outbox.claim(10)).map((m) => m.key)).toEqual(['incident:1:ack']);
  });

  it('a retry waits for its backoff; a failed row is no longer claimed', async () => {
    await enqueue('incident:1:page', 1, 'incident.triggered');
    const [m] = await outbox.claim(1);
    await outbox.markRetry(m, 'slack: ratelimited', 60_000);
    expect(await outbox.claim(1)).toEqual([]);
    await db.dataSource.query(`UPDATE outbox SET next_attempt_at = now() - interval '1 second'`);
    const [again] = await outbox.claim(1);
    expect(again.attempts).toBe(2);
    expect(again.lastError).toBe('slack: ratelimited');
    await outbox.markFailed(again, 'slack: channel_not_found');
    await db.dataSource.query(`UPDATE outbox SET next_attempt_at = now() - interval '1 second'`);
    expect(await outbox.claim(1)).toEqual([]);
  });

  it('gives a row left claimed by a crashed worker to another worker after the claim expires', async () => {
    await enqueue('incident:1:page', 1, 'incident.triggered');
    const [m] = await outbox.claim(1);
    expect(await outbox.claim(1)).toEqual([]);
    await db.dataSource.query(`UPDATE outbox SET locked_until = now() - interval '1 second' WHERE id = $1`, [m.id]);
    const [taken] = await outbox.claim(1);
    expect(taken.id).toBe(m.id);
    expect(taken.attempts).toBe(2);
  });

  it('a worker whose claim was taken over can no longer renew, send or finish the row (fencing)', async () => {
    await enqueue('incident:1:page', 1, 'incident.triggered');
    const [stale] = await outbox.claim(1);
    expect(await outbox.renewClaim(stale, 15)).toBe(true);
    await db.dataSource.query(`UPDATE outbox SET locked_until = now() - interval '1 second' WHERE id = $1`, [stale.id]);
    // Lapsed but nobody took it: still this worker's, and renewing holds it again.
    expect(await outbox.renewClaim(stale, 15)).toBe(true);
    await db.dataSource.query(`UPDATE outbox SET locked_until = now() - interval '1 second' WHERE id = $1`, [stale.id]);
    const [owner] = await outbox.claim(1);
    expect(owner.claimVersion).toBe(stale.claimVersion + 1);
    expect(await outbox.renewClaim(stale, 15)).toBe(false);
    expect(await outbox.holdClaimUntil(stale, new Date(Date.now() + 5_000))).toBe(false);
    expect([...(await outbox.renewClaims([stale]))]).toEqual([]);
    expect(await outbox.markSent(stale, { ts: 'stale' })).toBe(false);
    expect(await outbox.markRetry(stale, 'x', 1000)).toBe(false);
    expect(await outbox.markFailed(stale, 'x')).toBe(false);
    expect(await outbox.release(stale)).toBe(false);
    expect([...(await outbox.renewClaims([owner]))]).toEqual([owner.id]);
    expect(await outbox.markSent(owner, { ts: 'owner' })).toBe(true);
    const [row] = await db.dataSource.query(`SELECT status, result FROM outbox WHERE id = $1`, [owner.id]);
    expect(row).toEqual({ status: 'sent', result: { ts: 'owner' } });
  });

  it('a claim renewed before a call covers the call: nobody takes the row over meanwhile', async () => {
    await enqueue('incident:1:page', 1, 'incident.triggered');
    const [m] = await outbox.claim(1);
    await db.dataSource.query(`UPDATE outbox SET locked_until = now() - interval '1 second' WHERE id = $1`, [m.id]);
    expect(await outbox.renewClaim(m, 15)).toBe(true);
    expect(await outbox.claim(1)).toEqual([]);
    const [{ left }] = await db.dataSource.query(`SELECT extract(epoch FROM locked_until - now())::float8 AS left FROM outbox WHERE id = $1`, [m.id]);
    expect(left).toBeGreaterThan(14);
  });

  it('two workers claiming at once never get the same row', async () => {
    for (let i = 1; i <= 30; i++) await enqueue(`incident:${i}:page`, i, 'incident.triggered');
    const [a, b, c] = await Promise.all([outbox.claim(12), outbox.claim(12), outbox.claim(12)]);
    const keys = [...a, ...b, ...c].map((m) => m.key);
    expect(keys).toHaveLength(30);
    expect(new Set(keys).size).toBe(30);
  });
});
