import { DeliveryChannels, FAILING_AFTER } from '../../server/src/notify/delivery-channels';
import { databaseKinds, openTestDatabase, type TestDatabase } from '../support/database';

describe.each(databaseKinds())('Slack conversation pacing and health on %s', (kind) => {
  let db: TestDatabase;
  let channels: DeliveryChannels;

  beforeAll(async () => {
    db = await openTestDatabase(kind);
    channels = new DeliveryChannels(db.dataSource);
  });
  afterAll(() => db.close());
  beforeEach(() => db.dataSource.query(`TRUNCATE delivery_channels`));

  it('hands out send slots one interval apart per conversation, in the order asked, and leaves other conversations free', async () => {
    const before = Date.now();
    const slots = [];
    for (let i = 0; i < 4; i++) slots.push((await channels.reserveSlot('C0BURST', 1000)).getTime());
    expect(slots[0]).toBeGreaterThanOrEqual(before - 50);
    expect(slots[0]).toBeLessThan(before + 1000);
    for (let i = 1; i < slots.length; i++) expect(slots[i] - slots[i - 1]).toBe(1000);
    const other = (await channels.reserveSlot('C0OTHER', 1000)).getTime();
    expect(other).toBeLessThan(slots[1]);
    // Several processes asking at once still get distinct slots.
    const concurrent = await Promise.all(Array.from({ length: 5 }, () => channels.reserveSlot('C0RACE', 500)));
    const times = concurrent.map((d) => d.getTime()).sort((a, b) => a - b);
    for (let i = 1; i < times.length; i++) expect(times[i] - times[i - 1]).toBe(500);
  });

  it(`reports a conversation after ${FAILING_AFTER} failures in a row, forgets it on a success, and stops reporting one untried for a day`, async () => {
    expect(await channels.recordFailure('C0GONE', 'slack: channel_not_found')).toBe(1);
    expect(await channels.recordFailure('C0GONE', 'slack: channel_not_found')).toBe(2);
    expect(await channels.failing()).toEqual([]);
    expect(await channels.recordFailure('C0GONE', 'slack: channel_not_found')).toBe(3);
    expect(await channels.failing()).toEqual([expect.objectContaining({ channel: 'C0GONE', consecutiveFailures: 3, lastError: 'slack: channel_not_found' })]);

    expect(await channels.recordSuccess('C0GONE')).toBe(3);
    expect(await channels.failing()).toEqual([]);
    expect(await channels.recordSuccess('C0GONE')).toBe(0);

    for (let i = 0; i < 3; i++) await channels.recordFailure('U0LEFT', 'slack: user_not_found');
    expect((await channels.failing()).map((f) => f.channel)).toEqual(['U0LEFT']);
    await db.dataSource.query(`UPDATE delivery_channels SET last_failure_at = now() - interval '25 hours' WHERE channel = 'U0LEFT'`);
    expect(await channels.failing()).toEqual([]);
  });
});
