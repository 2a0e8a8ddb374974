import { SystemClock } from '../../server/src/common/clock';
import * as path from 'node:path';
import { SchedulerRegistry } from '@nestjs/schedule';
import type { EntityManager } from 'typeorm';
import { AuditService } from '../../server/src/audit/audit.service';
import { UserStore } from '../../server/src/auth/user-store';
import type { ManualClock } from '../../server/src/common/clock';
import { LeaseService } from '../../server/src/common/lease.service';
import { AppMetrics } from '../../server/src/common/metrics';
import { loadConfig } from '../../server/src/config/config';
import { IncidentStore } from '../../server/src/incidents/incident-store';
import type { IncidentTransitionHandler } from '../../server/src/incidents/incident-transitions';
import type { IncidentWriter } from '../../server/src/incidents/incident-writer';
import { IncidentsService } from '../../server/src/incidents/incidents.service';
import { IncidentNotifier } from '../../server/src/notify/incident-notifier';
import { WebClientSlackApi } from '../../server/src/notify/slack/slack-api';
import { EscalationViews } from '../../server/src/oncall/escalation-views';
import { loadOncall } from '../../server/src/oncall/oncall-loader';
import type { OncallService } from '../../server/src/oncall/oncall.service';
import type { OutboxService } from '../../server/src/outbox/outbox.service';
import type { RoutesService } from '../../server/src/rules/routes.service';
import { RulesService } from '../../server/src/rules/rules.service';
import { CachedRollupSliReader } from '../../server/src/slo/cached-rollup-sli-reader';
import { PostgresSliStore } from '../../server/src/slo/postgres-sli-store';
import { SimulatorSeriesResolver, simulatorSeries } from '../../server/src/slo/series';
import type { CounterSample, HistogramSample } from '../../server/src/slo/sli-store';
import { SloEvaluator } from '../../server/src/slo/slo-evaluator.service';
import type { SlosService } from '../../server/src/slo/slos.service';
import { FakeSlack } from '../fakes/fake-slack';
import { openTestDatabase, type DatabaseKind, type TestDatabase } from './database';
import { noIncidentActions } from './pipeline-stages';
import { escalationEngine, incidentWriter, oncallService, outboxService, changesService } from './services';
import { silentLogger } from './test-logger';
import { addUser } from './users';

const ROOT = path.resolve(__dirname, '../..');

/** The stages an SLO burn goes through to Slack, built as server/src/pipeline.ts wires them. */
export interface SloSlackPipeline {
  outbox: OutboxService;
  oncall: OncallService;
  transitions: IncidentTransitionHandler;
  writer: IncidentWriter;
  incidents: IncidentsService;
  notifier: IncidentNotifier;
  store: PostgresSliStore;
  /** A fresh evaluator over the shipped alerts/ (a fresh window cache: call it after truncating the rollups). */
  evaluator(): SloEvaluator;
  /** Everything queued, sent as the outbox worker sends it. */
  deliverAll(): Promise<void>;
  /**
   * Before each test: empty tables, the on-call rules of test/fixtures/oncall, Alice (U0ALICE) as
   * a user, the clock at `start`; answers a fresh evaluator (the rollups were truncated under the old one's cache).
   */
  reset(start: Date): Promise<SloEvaluator>;
  /** `minutes` of traffic from the clock on, 6000 requests a minute per service with `errors[service]` failed; then the clock moves past it. */
  traffic(minutes: number, errors: Record<string, number>): Promise<void>;
}

/**
 * SLI store → SLO evaluator → incidents (writer, routes) → outbox → notifier → a fake Slack at
 * `slackUrl` (page channel C0PAGES), with the escalation engine and the on-call people of
 * test/fixtures/oncall.
 */
export function sloSlackPipeline(db: TestDatabase, slackUrl: string, routes: RoutesService, clock: ManualClock): SloSlackPipeline {
  const oncallConfig = loadConfig({ HEADROOM_ALERTS_DIR: 'test/fixtures/oncall' }, ROOT);
  const slackConfig = loadConfig({
    HEADROOM_PUBLIC_URL: 'https://headroom.example.com',
    SLACK_BOT_TOKEN: 'xoxb-test', SLACK_SIGNING_SECRET: 'secret', SLACK_CHANNEL: 'C0PAGES', SLACK_API_URL: slackUrl,
  }, ROOT);
  const ds = db.dataSource;
  const outbox = outboxService(ds, slackConfig);
  const oncall = oncallService(ds, oncallConfig, clock);
  const engine = escalationEngine(ds, { outbox, oncall, routes, config: oncallConfig, clock });
  const transitions = { incidentPaged: (m: EntityManager, id: number) => engine.start(m, id), incidentStatusChanged: (m: EntityManager, id: number) => engine.wake(m, id) };
  const writer = incidentWriter(outbox, transitions, routes);
  const incidents = new IncidentsService(ds, outbox, new AppMetrics(), new AuditService(ds), new IncidentStore(ds), writer, transitions, clock, silentLogger);
  // Latency SLOs would ask SlosService for the page's quantiles; these tests burn availability only.
  const slos = { latency: async () => ({ window: '5m', quantiles: [] }) } as unknown as SlosService;
  const notifier = new IncidentNotifier(ds, incidents, new IncidentStore(ds), slackConfig, silentLogger, new WebClientSlackApi('xoxb-test', slackUrl), noIncidentActions, routes, slos, new RulesService(slackConfig), new EscalationViews(ds, new UserStore(ds)), changesService(ds, new SystemClock()));
  const store = new PostgresSliStore(ds);
  return {
    outbox, oncall, transitions, writer, incidents, notifier, store,
    evaluator: () => {
      const config = loadConfig({}, ROOT);
      return new SloEvaluator(
        ds, new RulesService(config), incidents, new LeaseService(ds), new SchedulerRegistry(),
        new AppMetrics(), [new CachedRollupSliReader(store, [new SimulatorSeriesResolver()])], clock, config, silentLogger,
      );
    },
    async reset(start) {
      await ds.query(`TRUNCATE incidents, incident_timeline, incident_alerts, outbox, audit_log, users, escalations, slack_threads, slo_status, silences,
        sli_counter_minute, sli_histogram_minute, sli_counter_hour, sli_histogram_hour, sli_changes RESTART IDENTITY CASCADE`);
      oncall.replaceRules(loadOncall(path.join(ROOT, 'test/fixtures/oncall')));
      await addUser(db, 'alice@example.com', 'Alice', 'U0ALICE');
      clock.set(start);
      return this.evaluator();
    },
    async deliverAll() {
      for (let batch = await outbox.claim(20); batch.length > 0; batch = await outbox.claim(20)) {
        for (const message of batch) await outbox.markSent(message, await notifier.deliver(message));
      }
    },
    async traffic(minutes, errors) {
      const counters: CounterSample[] = [];
      const histograms: HistogramSample[] = [];
      const from = clock.now().getTime();
      for (let i = 0; i < minutes; i++) {
        const at = new Date(from + i * 60_000);
        for (const [service, bad] of Object.entries(errors)) {
          counters.push({ series: simulatorSeries.requests(service), at, value: 6000 }, { series: simulatorSeries.errors(service), at, value: bad });
          histograms.push({ series: simulatorSeries.latency(service), at, buckets: [{ le: 0.1, count: 6000 }, { le: Infinity, count: 0 }] });
        }
      }
      await ds.transaction((m) => store.write(m, { source: 'test', counters, histograms }));
      clock.set(new Date(from + minutes * 60_000));
    },
  };
}

/** What useSloSlackPipeline sets up for each test of a describe block. */
export interface SloSlackContext {
  db: TestDatabase;
  slack: FakeSlack;
  p: SloSlackPipeline;
  /** Fresh for each test. */
  evaluator: SloEvaluator;
}

/**
 * Registers the hooks of a describe block over the pipeline: a database of `kind` and a fake
 * Slack for the block; before each test, empty tables, Alice, the clock at `start`, a fresh
 * evaluator and no Slack calls recorded. Read the fields inside tests (they are set by the hooks).
 */
export function useSloSlackPipeline(kind: DatabaseKind, routes: RoutesService, clock: ManualClock, start: Date): SloSlackContext {
  const ctx = {} as SloSlackContext;
  beforeAll(async () => {
    ctx.db = await openTestDatabase(kind);
    ctx.slack = await new FakeSlack().start();
    ctx.p = sloSlackPipeline(ctx.db, ctx.slack.url, routes, clock);
  });
  afterAll(async () => {
    await ctx.slack?.stop();
    await ctx.db?.close();
  });
  beforeEach(async () => {
    ctx.evaluator = await ctx.p.reset(start);
    ctx.slack.calls.length = 0;
    ctx.slack.messages.length = 0;
  });
  return ctx;
}
