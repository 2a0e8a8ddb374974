import { FakeSlack } from '../fakes/fake-slack';
import { CHAOS_CHANNELS, type ChaosCluster, chaosTitle, envNumber, quantile, seededRandom, sendEvent, sleep, startPagingCluster, writeReport, type Delivery } from './chaos-support';

/**
 * Chaos, case 1: a page arrives once. Two Headroom processes on one real PostgreSQL take
 * PagerDuty events and Alertmanager alerts (spread over both, over 20 Slack channels) while
 * Slack fails 30% of calls (429 with Retry-After, 500, connection reset) and answers 500 to 10%
 * of the posts it did make. One process is SIGKILLed mid-way and started again. Then: nothing
 * accepted is lost, no incident is paged twice, no update is replied twice in its thread, and
 * every channel's posts keep Slack's pace.
 *
 * `npm run bench:chaos` runs the same scenario with 100 kill/restart cycles
 * (HEADROOM_CHAOS_CYCLES) and prints its figures from the report this writes.
 */
const CYCLES = envNumber('HEADROOM_CHAOS_CYCLES', 1);
const EVENTS = envNumber('HEADROOM_CHAOS_EVENTS', 200);
const RATE = envNumber('HEADROOM_CHAOS_RATE', 20);
const SEED = envNumber('HEADROOM_CHAOS_SEED', Date.now() % 100_000);
const INTERVAL_MS = 1000;
/**
 * The pace is one post per channel per interval, reserved in the database before each post. A
 * post whose process is starved between its slot and the HTTP call (a loaded CI machine) arrives
 * late, and the next one, on time, arrives closer to it: one late post, not a faster pace. So
 * every run of posts to a channel must span its intervals, less one interval of lateness and
 * the jitter of taking arrival times in another process.
 */
const PACE_TOLERANCE_MS = INTERVAL_MS + 100;

describe('chaos: a page arrives once (two processes, real PostgreSQL, a failing Slack, SIGKILL)', () => {
  const slack = new FakeSlack();
  let cluster: ChaosCluster;

  beforeAll(async () => {
    await slack.start();
    slack.failRandomly(0.3, SEED, { resets: true, lostPosts: 0.1 });
    cluster = await startPagingCluster(slack.url, {
      // Short claims: a killed process's rows are taken over sooner, and claims lapse more often.
      HEADROOM_OUTBOX_CLAIM_SECONDS: '5',
      HEADROOM_SLACK_CHANNEL_INTERVAL_MS: String(INTERVAL_MS),
    });
  }, 180_000);

  afterAll(async () => {
    await cluster?.stop();
    await slack.stop();
  }, 120_000);

  it(`pages every accepted event exactly once through ${CYCLES} kill/restart cycle(s) (seed ${SEED})`, async () => {
    const random = seededRandom(SEED + 1);
    const { fleet } = cluster;
    const sent = new Map<number, { trigger: Promise<Delivery>; resolve?: Promise<Delivery> }>();
    const started = Date.now();

    // The events, at a steady rate, alternately to each process; a quarter resolved 2 s later (an update in the page's thread).
    const sending = (async () => {
      for (let i = 0; i < EVENTS; i++) {
        const send = (action: 'trigger' | 'resolve') => sendEvent(fleet, i, action);
        const trigger = send('trigger');
        const entry: { trigger: Promise<Delivery>; resolve?: Promise<Delivery> } = { trigger };
        if (i % 4 === 0) entry.resolve = trigger.then(async (d) => (d.status ? (await sleep(2000), send('resolve')) : d));
        sent.set(i, entry);
        await sleep(1000 / RATE);
      }
    })();

    // Kill and restart: with one cycle, the first process at the middle of the sending; with
    // more, a random process at random moments, down for a random while.
    const killing = (async () => {
      const sendingMs = (EVENTS / RATE) * 1000;
      for (let c = 0; c < CYCLES; c++) {
        const victim = CYCLES === 1 ? 0 : Math.floor(random() * 2);
        await sleep(CYCLES === 1 ? sendingMs / 2 : 500 + random() * Math.max(1000, (2 * sendingMs) / CYCLES));
        await fleet.kill(victim);
        await sleep(CYCLES === 1 ? 2000 : 200 + random() * 2000);
        await fleet.startOne(victim);
      }
    })();

    await Promise.all([sending, killing]);
    const triggers = await Promise.all([...sent.values()].map((e) => e.trigger));
    const resolves = await Promise.all([...sent.values()].map((e) => e.resolve).filter((r): r is Promise<Delivery> => r !== undefined));
    const accepted = [...sent.keys()].filter((_, k) => triggers[k].status !== null);

    // Settled: nothing left to send (pending or claimed) for a few seconds running.
    let quietSince = 0;
    const deadline = Date.now() + 300_000;
    while (Date.now() < deadline) {
      const [{ n }] = await cluster.query<{ n: number }>(`SELECT count(*)::int AS n FROM outbox WHERE status IN ('pending', 'sending')`);
      if (n > 0) quietSince = 0;
      else if (quietSince === 0) quietSince = Date.now();
      else if (Date.now() - quietSince > 3000) break;
      await sleep(250);
    }

    const incidents = await cluster.query<{ id: number; title: string; status: string }>(`SELECT id, title, status FROM incidents`);
    const byTitle = new Map(incidents.map((i) => [i.title, i]));
    const pages = slack.topLevelPosts().filter((m) => m.metadata?.event_type === 'headroom_page');
    const pagesOf = new Map<number, number[]>();
    for (const m of pages) {
      const id = Number(m.metadata!.event_payload.incident_id);
      pagesOf.set(id, [...(pagesOf.get(id) ?? []), m.at]);
    }
    const replies = slack.messages.filter((m) => m.thread_ts && m.metadata?.event_type === 'headroom_update');
    const replyKeys = new Map<string, number>();
    for (const m of replies) replyKeys.set(String(m.metadata!.event_payload.key), (replyKeys.get(String(m.metadata!.event_payload.key)) ?? 0) + 1);

    const lost = accepted.filter((i) => {
      const incident = byTitle.get(chaosTitle(i));
      return !incident || !pagesOf.has(incident.id);
    });
    const duplicated = [...pagesOf.entries()].filter(([, at]) => at.length > 1).map(([id]) => id);
    const repliedTwice = [...replyKeys.entries()].filter(([, n]) => n > 1).map(([key]) => key);
    const delays = accepted
      .map((i) => {
        const at = pagesOf.get(byTitle.get(chaosTitle(i))?.id ?? -1)?.[0];
        return at === undefined ? null : Math.max(0, at - triggers[i].acceptedAt!);
      })
      .filter((d): d is number => d !== null)
      .sort((a, b) => a - b);
    const closest = new Map<string, number>();
    /** Per channel, the most a run of its posts fell short of one interval per post (≤ 0 when paced). */
    const shortfall = new Map<string, number>();
    const byChannel = new Map<string, number[]>();
    for (const m of slack.messages) byChannel.set(m.channel, [...(byChannel.get(m.channel) ?? []), m.at]);
    for (const [ch, times] of byChannel) {
      times.sort((a, b) => a - b);
      closest.set(ch, Math.min(...times.slice(1).map((t, k) => t - times[k]), Infinity));
      let worst = -Infinity;
      for (let i = 0; i < times.length; i++) for (let j = i + 1; j < times.length; j++) worst = Math.max(worst, (j - i) * INTERVAL_MS - (times[j] - times[i]));
      shortfall.set(ch, worst);
    }
    const tooClose = [...shortfall.entries()].filter(([, short]) => short > PACE_TOLERANCE_MS);
    const failedRows = await cluster.query(`SELECT key, last_error FROM outbox WHERE status = 'failed'`);
    const answers = [...triggers, ...resolves].flatMap((d) => d.answers);
    const [outboxStats] = await cluster.query(
      `SELECT max(attempts)::int AS max_attempts, percentile_disc(0.99) WITHIN GROUP (ORDER BY attempts)::int AS p99_attempts,
              (extract(epoch FROM max(sent_at - created_at)) * 1000)::int AS slowest_ms, count(*)::int AS messages FROM outbox`,
    );

    const report = {
      seed: SEED, cycles: CYCLES, kills: fleet.kills, events: EVENTS, accepted: accepted.length, incidents: incidents.length,
      pages: pages.length, lost: lost.length, duplicated: duplicated.length, threadRepliesTwice: repliedTwice.length,
      pageDelayMs: { p50: quantile(delays, 0.5), p99: quantile(delays, 0.99), max: delays.at(-1) ?? NaN },
      slackCalls: slack.calls.length, channels: byChannel.size,
      closestPostsMs: Math.min(...closest.values()), paceShortfallMs: Math.max(...shortfall.values()), outboxFailed: failedRows.length, outbox: outboxStats,
      answers: answers.reduce<Record<string, number>>((acc, a) => ({ ...acc, [String(a)]: (acc[String(a)] ?? 0) + 1 }), {}),
      seconds: Math.round((Date.now() - started) / 1000),
    };
    writeReport('chaos-page-once', report);
    if (lost.length || duplicated.length || repliedTwice.length || tooClose.length || failedRows.length) {
      console.log(JSON.stringify({ report, lost, duplicated, repliedTwice, tooClose, failedRows }, null, 2), fleet.output().slice(-20_000));
    }

    expect(accepted).toHaveLength(EVENTS);
    expect(resolves.every((r) => r.status !== null)).toBe(true);
    // A 500 would tell a sender to give up on an event Headroom might have lost.
    expect(answers.filter((a) => typeof a === 'number' && a >= 500 && a !== 503)).toEqual([]);
    expect(lost).toEqual([]);
    expect(duplicated).toEqual([]);
    expect(repliedTwice).toEqual([]);
    expect(failedRows).toEqual([]);
    expect(byChannel.size).toBeGreaterThanOrEqual(CHAOS_CHANNELS);
    expect(tooClose).toEqual([]);
    expect(fleet.kills).toBe(CYCLES);
  }, 30 * 60_000);
});
