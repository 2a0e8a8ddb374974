import { FakeSlack } from '../fakes/fake-slack';
import { waitFor } from '../support/headroom-process';
import { type ChaosCluster, chaosTitle, envNumber, sendEvent, sleep, startPagingCluster, writeReport, type Delivery } from './chaos-support';

/**
 * Chaos, case 3: PostgreSQL restarts under load. Two Headroom processes take PagerDuty events
 * and Alertmanager alerts while their PostgreSQL (one this test started itself) is stopped
 * twice: a clean fast shutdown, then an immediate one (as in a crash, recovered from the WAL).
 * While it is down: Headroom stays up, /readyz answers 503 naming the database, ingest answers
 * 503 with Retry-After, never a hang, never a 500. When it is back, without restarting
 * Headroom: every event answered 2xx has its incident, and each incident is paged once.
 */
const EVENTS = envNumber('HEADROOM_CHAOS_EVENTS', 200);
const RATE = envNumber('HEADROOM_CHAOS_RATE', 10);
const DOWN_MS = 5000;
/** "Never a hang": every answer, 503 included, comes well within a sender's usual timeout. */
const ANSWER_WITHIN_MS = 12_000;

describe('chaos: PostgreSQL restarts under ingest (two processes, a PostgreSQL of the test\'s own)', () => {
  const slack = new FakeSlack();
  let cluster: ChaosCluster;

  beforeAll(async () => {
    await slack.start();
    cluster = await startPagingCluster(slack.url, { HEADROOM_OUTBOX_CLAIM_SECONDS: '5', HEADROOM_SLACK_CHANNEL_INTERVAL_MS: '1000' });
  }, 180_000);

  afterAll(async () => {
    await cluster?.stop();
    await slack.stop();
  }, 120_000);

  /** /readyz of every process, every 250 ms while `until` is pending: status, body and time taken. */
  async function probeReadiness(until: Promise<unknown>): Promise<Array<{ status: number | string; ms: number; database?: string }>> {
    const probes: Array<{ status: number | string; ms: number; database?: string }> = [];
    let done = false;
    void until.finally(() => (done = true));
    while (!done) {
      await Promise.all(cluster.fleet.urls().map(async (u) => {
        const t0 = Date.now();
        try {
          const res = await fetch(`${u}/readyz`, { signal: AbortSignal.timeout(ANSWER_WITHIN_MS) });
          const body = (await res.json()) as { checks?: { database?: string } };
          probes.push({ status: res.status, ms: Date.now() - t0, database: body.checks?.database });
        } catch (err) {
          probes.push({ status: (err as Error).name, ms: Date.now() - t0 });
        }
      }));
      await sleep(250);
    }
    return probes;
  }

  it('answers 503 while the database is down, and loses and repeats nothing once it is back', async () => {
    const started = Date.now();
    const { fleet, pg } = cluster;
    const deliveries: Array<Promise<Delivery>> = [];
    const sending = (async () => {
      for (let i = 0; i < EVENTS; i++) {
        deliveries.push(sendEvent(fleet, i, 'trigger', { timeoutMs: ANSWER_WITHIN_MS + 5000 }));
        await sleep(1000 / RATE);
      }
    })();

    const outages: Array<{ mode: string; probes: Array<{ status: number | string; ms: number; database?: string }> }> = [];
    const sendingMs = (EVENTS / RATE) * 1000;
    for (const mode of ['fast', 'immediate'] as const) {
      await sleep(sendingMs / 4);
      await pg.stop(mode);
      const down = sleep(DOWN_MS);
      outages.push({ mode, probes: await probeReadiness(down) });
      await pg.start();
    }
    await sending;
    const answers = await Promise.all(deliveries);

    // Back without a restart of Headroom: ready again, and every page sent.
    await waitFor('every process ready again', async () => {
      const statuses = await Promise.all(fleet.urls().map((u) => fetch(`${u}/readyz`).then((r) => r.status).catch(() => 0)));
      return statuses.length === 2 && statuses.every((s) => s === 200);
    }, 60_000, 500);
    await waitFor('the outbox to drain', async () => {
      const [{ n }] = await cluster.query<{ n: number }>(`SELECT count(*)::int AS n FROM outbox WHERE status IN ('pending', 'sending')`);
      return n === 0;
    }, 240_000, 500);
    await sleep(3000);
    const incidents = await cluster.query<{ id: number; title: string }>(`SELECT id, title FROM incidents`);
    const failedRows = await cluster.query(`SELECT key, last_error FROM outbox WHERE status = 'failed'`);
    const byTitle = new Map(incidents.map((i) => [i.title, i.id]));
    const pagesOf = new Map<number, number>();
    for (const m of slack.topLevelPosts()) {
      const id = Number(m.metadata?.event_payload.incident_id);
      pagesOf.set(id, (pagesOf.get(id) ?? 0) + 1);
    }
    const accepted = answers.map((a, i) => (a.status !== null ? i : -1)).filter((i) => i >= 0);
    const lost = accepted.filter((i) => !byTitle.has(chaosTitle(i)) || !pagesOf.has(byTitle.get(chaosTitle(i))!));
    const duplicated = [...pagesOf.entries()].filter(([, n]) => n > 1);
    const all = answers.flatMap((a) => a.answers);
    const whileDown = outages.flatMap((o) => o.probes);
    const report = {
      events: EVENTS, accepted: accepted.length, incidents: incidents.length, lost: lost.length, duplicated: duplicated.length,
      answers: all.reduce<Record<string, number>>((acc, a) => ({ ...acc, [String(a)]: (acc[String(a)] ?? 0) + 1 }), {}),
      slowestAnswerMs: Math.max(...answers.map((a) => a.slowestMs)),
      readyzWhileDown: whileDown.reduce<Record<string, number>>((acc, p) => ({ ...acc, [String(p.status)]: (acc[String(p.status)] ?? 0) + 1 }), {}),
      slowestReadyzMs: Math.max(...whileDown.map((p) => p.ms)), seconds: Math.round((Date.now() - started) / 1000),
    };
    writeReport('chaos-database-restart', report);
    if (lost.length || duplicated.length || failedRows.length) console.log(JSON.stringify({ report, lost, duplicated, failedRows }, null, 2), fleet.output().slice(-20_000));

    // While down: both processes stayed up and said why they were not ready, promptly.
    for (const outage of outages) {
      const down = outage.probes.filter((p) => p.status === 503);
      expect(down.length).toBeGreaterThan(0);
      expect(down.every((p) => /^unreachable: /.test(p.database ?? ''))).toBe(true);
      expect(outage.probes.filter((p) => typeof p.status !== 'number')).toEqual([]);
    }
    expect(Math.max(...whileDown.map((p) => p.ms))).toBeLessThan(ANSWER_WITHIN_MS);
    // Ingest: 2xx once stored, 503 with Retry-After while not; never a 500, a hang or a dropped connection.
    expect(all.filter((a) => ![200, 202, 503].includes(a as number))).toEqual([]);
    expect(all.filter((a) => a === 503).length).toBeGreaterThan(0);
    expect(answers.reduce((n, a) => n + a.withoutRetryAfter, 0)).toBe(0);
    expect(report.slowestAnswerMs).toBeLessThan(ANSWER_WITHIN_MS);
    // Back: nothing answered 2xx is lost, nothing paged twice, nothing given up.
    expect(accepted).toHaveLength(EVENTS);
    expect(lost).toEqual([]);
    expect(duplicated).toEqual([]);
    expect(failedRows).toEqual([]);
  }, 15 * 60_000);
});
