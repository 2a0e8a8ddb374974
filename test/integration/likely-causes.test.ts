import * as path from 'node:path';
import { AuditService } from '../../server/src/audit/audit.service';
import { ManualClock } from '../../server/src/common/clock';
import { AppMetrics } from '../../server/src/common/metrics';
import { loadConfig } from '../../server/src/config/config';
import { AlertIngestService } from '../../server/src/incidents/intake/alert-ingest.service';
import { SilencesService } from '../../server/src/incidents/silences.service';
import type { IncomingAlert } from '../../server/src/incidents/intake/incoming-alert';
import { inhibitRuleSchema, toInhibitRule } from '../../server/src/rules/inhibit-rule';
import { routeSchema, toRoute } from '../../server/src/rules/route-definition';
import { RoutesService } from '../../server/src/rules/routes.service';
import { RulesService } from '../../server/src/rules/rules.service';
import { databaseKinds } from '../support/database';
import { useSloSlackPipeline } from '../support/slo-slack-pipeline';
import { silentLogger } from '../support/test-logger';

/**
 * Likely causes end to end through the real stages: SLI store → SLO evaluator → incidents →
 * outbox → notifier → a fake Slack, with the escalation engine wired as pipeline.ts wires it,
 * and the shipped alerts/ (the ranker dependsOn the feature store; links within 15m; pages at a
 * burn 4× its cause's). Alerts go through the real ingest with an Alertmanager-style inhibit rule.
 */

const ROOT = path.resolve(__dirname, '../..');
// Alice is on call for ranker-primary this week (test/fixtures/oncall).
const T0 = new Date('2026-12-01T00:00:00Z');
const alice = { type: 'user' as const, id: 'u-alice', name: 'Alice' };
const AM = { id: '00000000-0000-4000-8000-000000000001', name: 'prod-alertmanager' };
const FS = 'feature-store';
const RANKER = 'now-playing-ranker';

const shipped = new RulesService(loadConfig({}, ROOT)).inhibition();
const routes = new RoutesService(
  [
    toRoute(routeSchema.parse({ name: 'personalization', match: ['service=~"now-playing-ranker|feature-store"'], escalationPolicy: 'ranker' }), 'test'),
    // groupWait 0s: inhibition alone decides here (with the default 30 s, a warning of the same
    // service opening within it would join the critical's incident instead).
    toRoute(routeSchema.parse({ name: 'alerts', source: ['alertmanager'], escalationPolicy: 'ranker', autoResolve: true, groupWait: '0s' }), 'test'),
  ],
  {
    ...shipped,
    rules: [
      toInhibitRule(inhibitRuleSchema.parse({ sourceMatchers: ['severity="critical"'], targetMatchers: ['severity="warning"'], equal: ['service'] }), 'test/routes.yaml', 0),
      // An outside alert holding back SLO incidents, matched by the labels an SLO incident carries.
      toInhibitRule(inhibitRuleSchema.parse({ sourceMatchers: ['alertname="ZoneDown"'], targetMatchers: ['source="slo"', 'slo=~"model-serving[.].*"', 'severity="critical"'] }), 'test/routes.yaml', 1),
    ],
  },
);

describe.each(databaseKinds())('likely causes: dependencies and inhibit rules on %s', (kind) => {
  const clock = new ManualClock(T0);
  const ctx = useSloSlackPipeline(kind, routes, clock, T0);
  let ingest: AlertIngestService;
  beforeAll(() => {
    ingest = new AlertIngestService(ctx.db.dataSource, ctx.p.outbox, routes, ctx.p.writer, new AppMetrics(), new AuditService(ctx.db.dataSource), ctx.p.transitions, clock, silentLogger);
  });

  const traffic = (minutes: number, errors: Record<string, number>) => ctx.p.traffic(minutes, errors);
  const deliverAll = () => ctx.p.deliverAll();
  const pass = async () => {
    await ctx.evaluator.evaluate('manual');
    await deliverAll();
  };
  const q = (sql: string, params: unknown[] = []) => ctx.db.dataSource.query(sql, params);
  const page = async (service: string) => (await q(`SELECT id, status, caused_by_incident_id, held_by_cause FROM incidents WHERE service = $1 AND urgency = 'page' ORDER BY id`, [service]))[0];
  const escalated = async () => (await q(`SELECT incident_id FROM escalations ORDER BY incident_id`)).map((r: { incident_id: number }) => Number(r.incident_id));
  const pagedIds = async () => (await q(`SELECT incident_id FROM outbox WHERE topic = 'incident.triggered' ORDER BY id`)).map((r: { incident_id: number }) => Number(r.incident_id));
  const posts = () => ctx.slack.callsTo('chat.postMessage').filter((c) => c.body.channel === 'C0PAGES' && !c.body.thread_ts);
  const lines = async (id: number) => (await ctx.p.incidents.timeline(id)).map((t) => t.message);

  it('a feature-store outage pages once; the ranker\'s incident opens linked to it, silent, and pages when it outlives it', async () => {
    await traffic(60, { [FS]: 0, [RANKER]: 0 });
    // The feature store fails; the ranker, which calls it, is fine for now.
    await traffic(10, { [FS]: 6000, [RANKER]: 0 });
    await pass();
    const fs = await page(FS);
    expect(fs).toMatchObject({ status: 'triggered', caused_by_incident_id: null, held_by_cause: false });
    expect(await escalated()).toEqual([fs.id]);
    expect(posts()).toHaveLength(1);

    // Then the ranker's requests fail too, four in five: its SLO pages, linked and held back.
    await traffic(10, { [FS]: 6000, [RANKER]: 4800 });
    await pass();
    const ranker = await page(RANKER);
    expect(ranker).toMatchObject({ status: 'triggered', caused_by_incident_id: fs.id, held_by_cause: true });
    // No page for the ranker: no page message queued, no escalation, no new post in Slack.
    expect(await pagedIds()).toEqual([fs.id]);
    expect(await escalated()).toEqual([fs.id]);
    expect(posts()).toHaveLength(1);
    expect(ctx.slack.directMessagesTo('U0ALICE')).toHaveLength(1);
    // Its timeline says why; the feature store's says what it caused, in its Slack thread too.
    expect((await lines(ranker.id)).find((l) => l.startsWith('Triggered'))).toBe(
      `Triggered: now-playing-ranker availability SLO is burning its error budget (likely caused by #${fs.id} (feature-store availability SLO is burning its error budget): ` +
      `now-playing-ranker depends on feature-store; not paged while #${fs.id} fires: it pages if it outlives #${fs.id} or burns far worse)`,
    );
    const linkLine = `#${ranker.id} (now-playing-ranker availability SLO is burning its error budget) is likely caused by this incident (now-playing-ranker depends on feature-store); not paged while this one fires`;
    expect(await lines(fs.id)).toContain(linkLine);
    const replies = ctx.slack.messages.filter((m) => m.thread_ts === ctx.slack.messages.find((m2) => !m2.thread_ts)!.ts).map((m) => m.text);
    expect(replies).toEqual(expect.arrayContaining([expect.stringContaining(`#${ranker.id} (now-playing-ranker availability SLO is burning its error budget) is likely caused by this incident`)]));
    // The API's detail shows the link both ways.
    expect((await ctx.p.incidents.getWithTimeline(ranker.id)).causedBy).toEqual({ id: fs.id, title: 'feature-store availability SLO is burning its error budget', service: FS, status: 'triggered' });
    expect((await ctx.p.incidents.getWithTimeline(fs.id)).causes).toEqual([{ id: ranker.id, title: 'now-playing-ranker availability SLO is burning its error budget', service: RANKER, status: 'triggered' }]);

    // While both burn, later passes change nothing.
    await traffic(2, { [FS]: 6000, [RANKER]: 4800 });
    await pass();
    expect(await pagedIds()).toEqual([fs.id]);

    // The feature store recovers; the ranker keeps failing (its own trouble now). Once the
    // feature store's page condition ends, the ranker outlived it: paged on the normal path.
    for (let i = 0; i < 8 && (await page(RANKER)).held_by_cause; i++) {
      await traffic(5, { [FS]: 0, [RANKER]: 4800 });
      await pass();
    }
    expect(await q(`SELECT signal_resolved_at IS NOT NULL AS ended FROM incidents WHERE id = $1`, [fs.id])).toEqual([{ ended: true }]);
    expect(await page(RANKER)).toMatchObject({ caused_by_incident_id: fs.id, held_by_cause: false });
    expect(await pagedIds()).toEqual([fs.id, ranker.id]);
    expect(await escalated()).toEqual([fs.id, ranker.id]);
    expect(posts()).toHaveLength(2);
    expect(await lines(ranker.id)).toContain(`Paging on its own: #${fs.id}, its likely cause, ended while this one still fires`);
  });

  it('a dependent that ends with its cause never pages', async () => {
    await traffic(60, { [FS]: 0, [RANKER]: 0 });
    // Both fail from the same minute: one pass sees both, and handles the feature store first.
    await traffic(10, { [FS]: 6000, [RANKER]: 4800 });
    await pass();
    const fs = await page(FS);
    const ranker = await page(RANKER);
    expect(ranker).toMatchObject({ caused_by_incident_id: fs.id, held_by_cause: true });
    // Both recover together: the ranker's condition ends no later than its cause's.
    for (let i = 0; i < 10; i++) {
      await traffic(5, { [FS]: 0, [RANKER]: 0 });
      await pass();
    }
    expect(await q(`SELECT service, signal_resolved_at IS NOT NULL AS ended FROM incidents WHERE urgency = 'page' ORDER BY id`)).toEqual([
      { service: FS, ended: true }, { service: RANKER, ended: true },
    ]);
    expect(await pagedIds()).toEqual([fs.id]);
    expect(await escalated()).toEqual([fs.id]);
    expect(posts()).toHaveLength(1);
    // Resolving the feature store's incident later pages nobody either.
    await ctx.p.incidents.resolve(fs.id, alice);
    expect(await pagedIds()).toEqual([fs.id]);
  });

  it('a held dependent whose burn becomes far worse than its cause\'s pages on its own', async () => {
    await traffic(60, { [FS]: 0, [RANKER]: 0 });
    // 2% of the feature store's requests fail (burn 20, over the page threshold of 14.4) and 2.5%
    // of the ranker's (burn 25): about what the feature store explains, so it is held.
    await traffic(60, { [FS]: 120, [RANKER]: 150 });
    await pass();
    const fs = await page(FS);
    const ranker = await page(RANKER);
    expect(ranker).toMatchObject({ caused_by_incident_id: fs.id, held_by_cause: true });
    expect(await pagedIds()).toEqual([fs.id]);
    // Then every ranker request fails: far more than a 2% feature-store failure explains.
    await traffic(10, { [FS]: 120, [RANKER]: 6000 });
    await pass();
    expect(await page(RANKER)).toMatchObject({ caused_by_incident_id: fs.id, held_by_cause: false });
    expect(await pagedIds()).toEqual([fs.id, ranker.id]);
    expect(await escalated()).toEqual([fs.id, ranker.id]);
    expect((await lines(ranker.id)).find((l) => l.startsWith('Paging on its own'))).toMatch(
      new RegExp(`^Paging on its own: its burn rate \\(\\d+\\.\\dx\\) is at least 4 times that of #${fs.id} \\(\\d+\\.\\dx\\), more than #${fs.id} explains$`),
    );
  });

  it('a dependent burning far worse from the start is linked but pages at once', async () => {
    await traffic(60, { [FS]: 0, [RANKER]: 0 });
    await traffic(60, { [FS]: 120, [RANKER]: 6000 });
    await pass();
    const fs = await page(FS);
    const ranker = await page(RANKER);
    expect(ranker).toMatchObject({ caused_by_incident_id: fs.id, held_by_cause: false });
    expect(await pagedIds()).toEqual([fs.id, ranker.id]);
    expect((await lines(ranker.id)).find((l) => l.startsWith('Triggered'))).toMatch(/; paged anyway: its burn rate is far worse than #\d+'s\)$/);
    expect(await lines(fs.id)).toContain(`#${ranker.id} (now-playing-ranker availability SLO is burning its error budget) is likely caused by this incident (now-playing-ranker depends on feature-store); paged on its own: it burns far worse than this one`);
  });

  describe('alerts and an Alertmanager-style inhibit rule (critical inhibits warning, equal [service])', () => {
    let n = 0;
    const alert = (labels: Record<string, string>, action: IncomingAlert['action'] = 'trigger'): IncomingAlert => ({
      source: 'alertmanager', key: `fp-${labels.service}-${labels.alertname}`, action, labels, annotations: {}, title: `${labels.alertname} on ${labels.service}`,
      severity: labels.severity as IncomingAlert['severity'], service: labels.service, startsAt: new Date(T0.getTime() + n++ * 1000), endsAt: null,
      generatorUrl: null, runbookUrl: null, description: null, payload: {}, integration: AM,
    });
    const critical = { alertname: 'CheckoutDown', service: 'checkout', severity: 'critical' };
    const warning = { alertname: 'CheckoutSlow', service: 'checkout', severity: 'warning' };

    it('holds back the warning of the same service while the critical fires, pages it when it outlives it, and never the other service\'s', async () => {
      const [opened] = await ingest.ingest([alert(critical)]);
      clock.advance(60_000);
      const [held] = await ingest.ingest([alert(warning)]);
      const [other] = await ingest.ingest([alert({ alertname: 'PaymentsSlow', service: 'payments', severity: 'warning' })]);
      expect(await q(`SELECT id, caused_by_incident_id, held_by_cause FROM incidents ORDER BY id`)).toEqual([
        { id: opened.incidentId, caused_by_incident_id: null, held_by_cause: false },
        { id: held.incidentId, caused_by_incident_id: opened.incidentId, held_by_cause: true },
        { id: other.incidentId, caused_by_incident_id: null, held_by_cause: false },
      ]);
      expect(await pagedIds()).toEqual([opened.incidentId, other.incidentId]);
      expect((await lines(held.incidentId!)).find((l) => l.startsWith('Triggered'))).toContain(`likely caused by #${opened.incidentId} (CheckoutDown on checkout): inhibit rule 1 of test/routes.yaml; not paged`);
      expect(await lines(opened.incidentId!)).toContain(`#${held.incidentId} (CheckoutSlow on checkout) is likely caused by this incident (inhibit rule 1 of test/routes.yaml); not paged while this one fires`);
      // The critical alert repeats: nothing changes.
      await ingest.ingest([alert(critical)]);
      expect(await pagedIds()).toEqual([opened.incidentId, other.incidentId]);

      // Alertmanager resolves the critical alert (the route auto-resolves): the warning outlived it.
      clock.advance(60_000);
      await ingest.ingest([alert(critical, 'resolve')]);
      expect(await q(`SELECT status FROM incidents WHERE id = $1`, [opened.incidentId])).toEqual([{ status: 'resolved' }]);
      expect(await pagedIds()).toEqual([opened.incidentId, other.incidentId, held.incidentId]);
      expect(await escalated()).toEqual([opened.incidentId, held.incidentId, other.incidentId].sort((a, b) => a! - b!));
      expect(await lines(held.incidentId!)).toContain(`Paging on its own: #${opened.incidentId}, its likely cause, ended while this one still fires`);
    });

    it('a held warning opened muted stays quiet when a later alert unmutes it while its cause fires', async () => {
      const silences = new SilencesService(ctx.db.dataSource, new AuditService(ctx.db.dataSource), clock);
      const [opened] = await ingest.ingest([alert(critical)]);
      const silence = await silences.create('silence', { matchers: [{ name: 'instance', value: 'a', isRegex: false, isEqual: true }], duration: '2h', comment: 'draining a' }, alice);
      const [held] = await ingest.ingest([{ ...alert({ ...warning, instance: 'a' }), key: 'warning-a' }]);
      expect(held.outcome).toBe('opened-muted');
      await silences.expire('silence', silence.id, alice);
      // Another alert of the same group, which nothing mutes.
      await ingest.ingest([{ ...alert({ ...warning, instance: 'b' }), key: 'warning-b' }]);
      expect(await q(`SELECT muted, caused_by_incident_id, held_by_cause FROM incidents WHERE id = $1`, [held.incidentId])).toEqual([
        { muted: false, caused_by_incident_id: opened.incidentId, held_by_cause: true },
      ]);
      expect(await pagedIds()).toEqual([opened.incidentId]);
      expect(await lines(held.incidentId!)).toContain(`An alert arrived that no silence or maintenance window covers; not paged while #${opened.incidentId}, its likely cause, fires`);
    });

    it('an outside alert holds back an SLO incident by the labels the SLO incident carries (source, slo, severity)', async () => {
      const [zone] = await ingest.ingest([alert({ alertname: 'ZoneDown', service: 'platform', severity: 'critical' })]);
      await traffic(60, { 'model-serving': 0 });
      await traffic(10, { 'model-serving': 6000 });
      await pass();
      const slo = await page('model-serving');
      expect(slo).toMatchObject({ caused_by_incident_id: zone.incidentId, held_by_cause: true });
      expect(await q(`SELECT labels FROM incidents WHERE id = $1`, [slo.id])).toEqual([{ labels: expect.objectContaining({ source: 'slo', slo: 'model-serving.availability', severity: 'critical', service: 'model-serving' }) }]);
      expect(await pagedIds()).toEqual([zone.incidentId]);
      expect((await lines(slo.id)).find((l) => l.startsWith('Triggered'))).toContain(`likely caused by #${zone.incidentId} (ZoneDown on platform): inhibit rule 2 of test/routes.yaml`);
    });

    it('a critical alert is never held back by itself, and a warning arriving with its critical in one webhook is held', async () => {
      await ingest.ingest([alert({ alertname: 'Both', service: 'checkout', severity: 'critical' })]);
      expect(await pagedIds()).toEqual([1]);
      const [c, w] = await ingest.ingest([alert({ alertname: 'DbDown', service: 'orders', severity: 'critical' }), alert({ alertname: 'DbSlow', service: 'orders', severity: 'warning' })]);
      expect(await q(`SELECT caused_by_incident_id, held_by_cause FROM incidents WHERE id = $1`, [w.incidentId])).toEqual([{ caused_by_incident_id: c.incidentId, held_by_cause: true }]);
      expect(await pagedIds()).toEqual([1, c.incidentId]);
    });
  });
});
