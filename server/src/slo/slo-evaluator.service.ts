import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { DataSource } from 'typeorm';
import { CLOCK, type Clock } from '../common/clock';
import { formatDuration } from '../common/duration';
import { LOGGER, type Logger } from '../common/logger';
import { AppMetrics } from '../common/metrics';
import { SIGNAL_HANDLER, type Signal, type SignalHandler } from '../common/signals';
import { withSpan } from '../common/telemetry';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { LeaseService } from '../common/lease.service';
import { ScheduledJob } from '../common/scheduled-job';
import { RulesService } from '../rules/rules.service';
import type { SloDefinition } from '../rules/slo-definition';
import { alertPairsFor } from './alert-pairs';
import { blindEvidence, blindTitle, noDataDecision, noDataReason } from './no-data';
import { compileBurnRules, errorBudgetRemaining, evaluateCompiled, type BurnOutput, type CompiledBurnRules } from './burn-rate';
import { SLI_READERS, tableOfCounts, type SliReader, type WindowCountsTable } from './sli-reader';
import { SloStatus, type SloState } from './slo-status.entity';

export interface SloEvaluation {
  slo: SloDefinition;
  state: SloState;
  burnRates: Record<string, number | null>;
  budgetRemaining: number | null;
  evidence: Record<string, unknown>;
}

const LEASE = 'slo-evaluation';

/**
 * A status row is written when its state, no-data reason, burn rates or budget changed enough
 * to show (see changedEnough), and otherwise once it is statusRefreshMs old, so that
 * `evaluated_at` and the evidence's event counts are never older than 5 minutes. Writing
 * 10,000 unchanged rows every pass cost PostgreSQL more than the whole evaluation.
 */
const STATUS_REFRESH_MS = 5 * 60_000;

/**
 * How old an unchanged status may get: between half and all of STATUS_REFRESH_MS, fixed per
 * SLO, so that rows written together (the first pass after a start) are refreshed over several
 * passes rather than all in one.
 */
export function statusRefreshMs(sloId: string): number {
  // FNV-1a: a stable spread, not a secret.
  let hash = 0x811c9dc5;
  for (let i = 0; i < sloId.length; i++) hash = Math.imul(hash ^ sloId.charCodeAt(i), 0x01000193);
  return Math.round(STATUS_REFRESH_MS * (0.5 + 0.5 * ((hash >>> 0) / 2 ** 32)));
}
/** Burn rates differing by less than this (relative, or absolute below 1) are the same figure. */
const BURN_RATE_TOLERANCE = 0.01;
/** Budget remaining (1 = untouched) differing by less than this is the same figure. */
const BUDGET_TOLERANCE = 0.001;

/** What an SLO's evaluation needs besides the counts; it changes only when the rules reload. */
interface SloPlan {
  slo: SloDefinition;
  rules: CompiledBurnRules;
  /** The windows read (the pairs' and the period), and their names. */
  windows: number[];
  windowNames: string[];
  /** rules.windows (the burn rates reported), and their names. */
  pairWindowNames: string[];
  pairNames: Array<{ long: string; short: string }>;
  periodName: string;
  /** statusRefreshMs of this SLO. */
  refreshMs: number;
  /** Where this plan's windows are in the last table layout it read (see columnsFor). */
  layout: TableLayout | null;
  columns: Int32Array;
  ruleColumns: Int32Array;
  periodColumn: number;
  /** Whether a pass has judged this definition's blind-monitoring rule yet (see noDataDecision). */
  noDataJudged: boolean;
}

/** A reader's window order, shared by the passes that ask for the same windows. */
interface TableLayout {
  column: Map<number, number>;
}
const layouts = new Map<string, TableLayout>();

function layoutOf(windowsSeconds: readonly number[]): TableLayout {
  const key = windowsSeconds.join(',');
  let layout = layouts.get(key);
  if (!layout) {
    if (layouts.size > 100) layouts.clear();
    layout = { column: new Map(windowsSeconds.map((w, i) => [w, i])) };
    layouts.set(key, layout);
  }
  return layout;
}

// Keyed by the definition object: a reload makes new definitions, and the old plans go with them.
const plans = new WeakMap<SloDefinition, SloPlan>();
const durationNames = new Map<number, string>();

function durationName(seconds: number): string {
  let name = durationNames.get(seconds);
  if (name === undefined) durationNames.set(seconds, (name = formatDuration(seconds)));
  return name;
}

function planFor(slo: SloDefinition): SloPlan {
  let plan = plans.get(slo);
  if (!plan) {
    const pairs = alertPairsFor(slo);
    const rules = compileBurnRules(slo.objective, pairs, slo.alerting.minEvents);
    const windows = [...new Set([...rules.windows, slo.periodSeconds])];
    plan = {
      slo,
      rules,
      windows,
      windowNames: windows.map(durationName),
      pairWindowNames: rules.windows.map(durationName),
      pairNames: pairs.map((p) => ({ long: durationName(p.long), short: durationName(p.short) })),
      periodName: durationName(slo.periodSeconds),
      refreshMs: statusRefreshMs(slo.id),
      layout: null,
      columns: new Int32Array(windows.length),
      ruleColumns: new Int32Array(rules.windows.length),
      periodColumn: -1,
      noDataJudged: false,
    };
    plans.set(slo, plan);
  }
  return plan;
}

/** Points the plan's columns at a table layout (once per layout, not once per pass). */
function columnsFor(plan: SloPlan, layout: TableLayout): void {
  if (plan.layout === layout) return;
  const at = (w: number) => layout.column.get(w) ?? -1;
  plan.windows.forEach((w, i) => (plan.columns[i] = at(w)));
  plan.rules.windows.forEach((w, i) => (plan.ruleColumns[i] = at(w)));
  plan.periodColumn = at(plan.slo.periodSeconds);
  plan.layout = layout;
}

/** One pass's burn rates and firing pairs, for every SLO, in two arrays. */
interface PassOutput {
  burn: Float64Array;
  firing: Uint8Array;
}

/**
 * One SLO's result. The state and budget are computed in the pass; the burn-rate record and
 * the evidence are built when first read (for a status row that changed, or a signal), since
 * building them for 10,000 SLOs cost more than the evaluation.
 */
class SloResult implements SloEvaluation {
  private burnRatesMemo: Record<string, number | null> | null = null;
  private evidenceMemo: Record<string, unknown> | null = null;

  constructor(
    readonly slo: SloDefinition,
    readonly state: SloState,
    readonly budgetRemaining: number | null,
    private readonly plan: SloPlan,
    private readonly table: WindowCountsTable | null,
    /** This SLO's row start in the table, or -1 without a row. */
    private readonly offset: number,
    private readonly out: PassOutput,
    private readonly burnAt: number,
    private readonly firingAt: number,
    readonly error: string | undefined,
    private readonly evaluatedAt: string,
  ) {}

  /** Burn rate of rules window i, null for no data (or when the source failed). */
  burnRateAt(i: number): number | null {
    if (this.error !== undefined) return null;
    const b = this.out.burn[this.burnAt + i];
    return Number.isNaN(b) ? null : b;
  }

  get burnRates(): Record<string, number | null> {
    if (this.burnRatesMemo) return this.burnRatesMemo;
    const out: Record<string, number | null> = {};
    // A source that failed reports no burn rates at all (not a burn rate of null per window).
    if (this.error === undefined) this.plan.pairWindowNames.forEach((name, i) => (out[name] = this.burnRateAt(i)));
    return (this.burnRatesMemo = out);
  }

  get evidence(): Record<string, unknown> {
    if (this.evidenceMemo) return this.evidenceMemo;
    const { plan, table, offset } = this;
    const burnOf = (w: number) => this.burnRateAt(plan.rules.windows.indexOf(w));
    const burnRates = this.burnRates;
    this.evidenceMemo = {
      objective: this.slo.objective,
      period: plan.periodName,
      burnRates,
      budgetRemaining: this.budgetRemaining,
      ...(this.error !== undefined ? { error: this.error } : {}),
      windowPairs: plan.rules.pairs.map((pair, i) => ({
        severity: pair.severity,
        long: plan.pairNames[i].long,
        short: plan.pairNames[i].short,
        threshold: pair.burnRate,
        longBurn: burnOf(pair.long),
        shortBurn: burnOf(pair.short),
        firing: this.error === undefined && this.out.firing[this.firingAt + i] === 1,
      })),
      events: Object.fromEntries(
        plan.windows.map((_, i) => {
          const c = offset < 0 ? -1 : plan.columns[i];
          const at = offset + c;
          return [plan.windowNames[i], c >= 0 && table!.present[at] === 1 ? { total: table!.total[at], good: table!.good[at] } : null];
        }),
      ),
      evaluatedAt: this.evaluatedAt,
    };
    return this.evidenceMemo;
  }

  toJSON(): SloEvaluation {
    return { slo: this.slo, state: this.state, burnRates: this.burnRates, budgetRemaining: this.budgetRemaining, evidence: this.evidence };
  }
}

/** The stored status a new result is compared with. */
interface PreviousStatus {
  state: SloState;
  since: Date;
  burnRates: Record<string, number | null>;
  budgetRemaining: number | null;
  error: string | null;
  evaluatedAt: Date;
}

function sameFigure(a: number | null | undefined, b: number | null, tolerance: number): boolean {
  if (a === null || a === undefined || b === null) return (a ?? null) === b;
  return Math.abs(a - b) <= tolerance * Math.max(1, Math.abs(a), Math.abs(b));
}

/** Whether a result differs from the stored status by more than the figures shown round away. */
function changedEnough(r: SloResult, prev: PreviousStatus, now: Date): boolean {
  if (r.state !== prev.state || (r.error ?? null) !== prev.error) return true;
  const age = now.getTime() - prev.evaluatedAt.getTime();
  if (!(age >= 0 && age < planFor(r.slo).refreshMs)) return true;
  if (!sameFigure(prev.budgetRemaining, r.budgetRemaining, BUDGET_TOLERANCE)) return true;
  const names = r.error === undefined ? planFor(r.slo).pairWindowNames : [];
  if (Object.keys(prev.burnRates).length !== names.length) return true;
  for (let i = 0; i < names.length; i++) {
    if (!(names[i] in prev.burnRates) || !sameFigure(prev.burnRates[names[i]], r.burnRateAt(i), BURN_RATE_TOLERANCE)) return true;
  }
  return false;
}

/** What a ticket's timeline (and its Slack post) says when its slow burn stops, by the state the SLO went to. */
function ticketEnded(state: SloState): string {
  return state === 'page'
    ? 'The burn rose to the page thresholds: the SLO pages as its own incident now'
    : 'The slow burn ended: burn rates are back under the ticket thresholds';
}

/**
 * Runs the burn-rate rules over the SLI store: on a schedule (one process at a time, by lease)
 * and right after an ingest batch for the SLOs it touched, so a page never waits for a tick.
 * Publishes page signals and ticket signals (urgency ticket: slow burns, which never page);
 * stores each SLO's latest state for the API.
 */
@Injectable()
export class SloEvaluator implements OnApplicationBootstrap, OnApplicationShutdown {
  /** Evaluations in this process run one after another, so state changes are never interleaved. */
  private queue: Promise<unknown> = Promise.resolve();
  private job?: ScheduledJob;

  constructor(
    private readonly dataSource: DataSource,
    private readonly rules: RulesService,
    @Inject(SIGNAL_HANDLER) private readonly next: SignalHandler,
    private readonly leases: LeaseService,
    private readonly scheduler: SchedulerRegistry,
    private readonly metrics: AppMetrics,
    @Inject(SLI_READERS) private readonly readers: SliReader[],
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** Evaluates the SLOs whose series a source has just written (so a page does not wait for the next pass). */
  async evaluateAfterIngest(series: Set<string>): Promise<void> {
    const touched: SloDefinition[] = [];
    for (const reader of this.readers) {
      if (!reader.slosTouchedBy) continue;
      const mine = this.rules.slos().filter((s) => reader.sources.includes(s.sli.source));
      touched.push(...(await reader.slosTouchedBy(mine, series)));
    }
    if (touched.length > 0) await this.evaluate('ingest', touched);
  }

  /** Every SLO on a schedule (by lease); the pass waits its turn in the evaluation queue. */
  onApplicationBootstrap(): void {
    const seconds = this.config.evaluationIntervalSeconds;
    const lease = { service: this.leases, ttlSeconds: Math.max(10, seconds * 2) };
    this.job = ScheduledJob.start({ name: LEASE, everyMs: seconds * 1000, lease, run: () => this.evaluate('schedule', this.rules.slos()), logger: this.logger, scheduler: this.scheduler });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.job?.stop();
    await this.queue.catch(() => undefined);
  }

  evaluate(trigger: 'schedule' | 'ingest' | 'manual', slos: SloDefinition[] = this.rules.slos()): Promise<SloEvaluation[]> {
    const run = this.queue.then(() => this.evaluateNow(trigger, slos));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async evaluateNow(trigger: string, slos: SloDefinition[]): Promise<SloEvaluation[]> {
    return withSpan('slo.evaluate', { trigger, slos: slos.length }, async () => {
      const timer = this.metrics.evaluationSeconds.startTimer();
      const now = this.clock.now();
      const results = await this.compute(slos, now);
      const signals = await this.persist(results, now);
      timer();
      this.metrics.evaluations.inc({ trigger });
      for (const s of signals) this.metrics.signals.inc({ status: s.status });
      if (signals.length > 0) await this.next.handleSignals(signals);
      return results;
    });
  }

  /** Asks each SLO's reader for all its windows at once, then applies the pure rules. */
  async compute(slos: SloDefinition[], now: Date): Promise<SloEvaluation[]> {
    const plans = slos.map(planFor);
    const tables: Array<WindowCountsTable | undefined> = new Array(plans.length);
    const tableLayouts = new Map<WindowCountsTable, TableLayout>();
    for (const reader of this.readers) {
      const mine: number[] = [];
      for (let i = 0; i < plans.length; i++) if (reader.sources.includes(plans[i].slo.sli.source)) mine.push(i);
      if (mine.length === 0) continue;
      const windowSet = new Set<number>();
      for (const i of mine) for (const w of plans[i].windows) windowSet.add(w);
      const windows = [...windowSet];
      const mySlos = mine.map((i) => plans[i].slo);
      let table: WindowCountsTable;
      try {
        table = reader.windowTable ? await reader.windowTable(mySlos, now, windows) : tableOfCounts(await reader.windowCounts(mySlos, now, windows), windows);
      } catch (err) {
        // A source that cannot answer puts its SLOs in no-data: never a page, never a silent ok.
        const message = (err as Error).message;
        table = tableOfCounts(new Map(mySlos.map((slo) => [slo.id, { windows: new Map(), error: message }])), windows);
      }
      tableLayouts.set(table, layoutOf(table.windowsSeconds));
      for (const i of mine) tables[i] = table;
    }
    const evaluatedAt = now.toISOString();
    let burnSize = 0;
    let firingSize = 0;
    for (const p of plans) {
      burnSize += p.rules.windows.length;
      firingSize += p.rules.pairs.length;
    }
    const out: PassOutput = { burn: new Float64Array(burnSize), firing: new Uint8Array(firingSize) };
    const target: BurnOutput = { burn: out.burn, burnAt: 0, firing: out.firing, firingAt: 0 };
    const results = new Array<SloEvaluation>(plans.length);
    for (let i = 0; i < plans.length; i++) {
      const plan = plans[i];
      const { slo, rules } = plan;
      const table = tables[i];
      const row = table?.rows.get(slo.id);
      const error = table === undefined || row === undefined ? `no reader for source ${slo.sli.source}` : table.errors.get(slo.id);
      let offset = -1;
      let state: SloState = 'no-data';
      let period = { good: 0, total: 0 };
      if (table !== undefined && row !== undefined) {
        columnsFor(plan, tableLayouts.get(table)!);
        offset = row * table.windowsSeconds.length;
        const p = offset + plan.periodColumn;
        if (plan.periodColumn >= 0 && table.present[p] === 1) period = { good: table.good[p], total: table.total[p] };
        if (error === undefined) {
          state = evaluateCompiled(rules, { good: table.good, total: table.total, present: table.present, offset, column: plan.ruleColumns }, target);
        }
      }
      results[i] = new SloResult(slo, state, errorBudgetRemaining(period.good, period.total, slo.objective), plan, table ?? null, offset, out, target.burnAt, target.firingAt, error, evaluatedAt);
      target.burnAt += rules.windows.length;
      target.firingAt += rules.pairs.length;
    }
    return results;
  }

  /**
   * Stores the states that changed (and figures that moved enough to show, or went stale) and
   * derives signals from the change against the previous state.
   */
  private async persist(results: SloEvaluation[], now: Date): Promise<Signal[]> {
    if (results.length === 0) return [];
    const previous = await this.previousStates(results.map((r) => r.slo.id));
    const signals: Signal[] = [];
    const rows: Array<Record<string, unknown>> = [];
    for (const r of results as SloResult[]) {
      const prev = previous.get(r.slo.id);
      const signal = (urgency: 'page' | 'ticket', status: Signal['status']): Signal => ({
        fingerprint: `slo:${r.slo.id}:${urgency}`,
        source: 'slo' as const,
        service: r.slo.service,
        title: urgency === 'page' ? `${r.slo.service} ${r.slo.name} SLO is burning its error budget` : `${r.slo.service} ${r.slo.name} SLO is slowly burning its error budget`,
        severity: r.slo.severity,
        ...(urgency === 'ticket' ? { urgency, inhibitedBy: `slo:${r.slo.id}:page`, ...(status === 'resolved' ? { resolvedMessage: ticketEnded(r.state) } : {}) } : {}),
        sloId: r.slo.id,
        runbookId: r.slo.runbookId,
        evidence: r.evidence,
        at: now,
        status,
      });
      // Page and ticket are two alert rules of the SLO, each with its own incident. Leaving a state
      // resolves its signal; so does leaving no-data, since a page may have gone page → no-data →
      // ok (incidents ignore a resolve for which nothing is open). A ticket that turns into a page
      // resolves (its incident says the page took over) and the page opens as any page does; while
      // the page is open, the ticket it leaves behind as it ends is held back (inhibitedBy).
      for (const urgency of ['page', 'ticket'] as const) {
        if (r.state === urgency) signals.push(signal(urgency, 'firing'));
        else if ((prev?.state === urgency || prev?.state === 'no-data') && r.state !== 'no-data') signals.push(signal(urgency, 'resolved'));
      }
      const blind = this.blindSignal(r, prev, now);
      if (blind) signals.push(blind);
      if (prev && !changedEnough(r, prev, now)) continue;
      rows.push({
        slo_id: r.slo.id,
        state: r.state,
        burn_rates: r.burnRates,
        budget_remaining: r.budgetRemaining,
        evidence: r.evidence,
        since: prev && prev.state === r.state ? prev.since : now,
      });
    }
    if (rows.length === 0) return signals;
    // One statement with one JSON parameter, whatever the number of SLOs: a row-per-parameter
    // insert of 10,000 statuses would pass PostgreSQL's limit of 65,535 bind parameters.
    await this.dataSource.query(
      `INSERT INTO slo_status (slo_id, state, burn_rates, budget_remaining, evidence, evaluated_at, since)
       SELECT t.slo_id, t.state, t.burn_rates, t.budget_remaining, t.evidence, $2::timestamptz, t.since
       FROM jsonb_to_recordset($1::jsonb) AS t(slo_id text, state text, burn_rates jsonb, budget_remaining double precision, evidence jsonb, since timestamptz)
       ON CONFLICT ON CONSTRAINT pk_slo_status DO UPDATE SET state = EXCLUDED.state, burn_rates = EXCLUDED.burn_rates,
         budget_remaining = EXCLUDED.budget_remaining, evidence = EXCLUDED.evidence, evaluated_at = EXCLUDED.evaluated_at, since = EXCLUDED.since`,
      [JSON.stringify(rows), now.toISOString()],
    );
    return signals;
  }

  /**
   * Alerting on silence (no-data.ts): an SLO `no-data` for `alerting.noData.after` opens its own
   * incident (fingerprint `slo:<id>:no-data`, apart from the burn alert's), a ticket unless the
   * rule says page, resolved by itself on the pass the SLO has data again.
   */
  private blindSignal(r: SloResult, prev: PreviousStatus | undefined, now: Date): Signal | null {
    const plan = planFor(r.slo);
    const rule = r.slo.alerting.noData;
    const status = noDataDecision({ state: r.state, previous: prev, now, rule, firstPassOfRule: !plan.noDataJudged });
    plan.noDataJudged = true;
    if (status === null) return null;
    const urgency = rule?.severity ?? 'ticket';
    const since = prev && prev.state === 'no-data' ? prev.since : now;
    const reason = status === 'firing' ? noDataReason(r.error) : (prev?.error ?? noDataReason(undefined));
    return {
      fingerprint: `slo:${r.slo.id}:no-data`,
      status,
      source: 'slo',
      service: r.slo.service,
      title: blindTitle(r.slo.id, reason),
      // A ticket is a warning; a blind SLO that pages is as severe as the SLO's own page.
      severity: urgency === 'page' ? r.slo.severity : 'warning',
      urgency,
      autoResolve: true,
      resolvedMessage: r.state === 'no-data' ? `the blind-monitoring rule of ${r.slo.id} no longer applies (alerting.noData changed)` : `${r.slo.id} has data again (state ${r.state})`,
      sloId: r.slo.id,
      runbookId: r.slo.runbookId,
      labels: { condition: 'no-data' },
      evidence: blindEvidence({ reason, since, now, rule, source: r.slo.sli.source }),
      at: now,
    };
  }

  private async previousStates(ids: string[]): Promise<Map<string, PreviousStatus>> {
    const rows: Array<{ slo_id: string; state: SloState; since: Date; burn_rates: Record<string, number | null>; budget_remaining: number | null; error: string | null; evaluated_at: Date }> =
      await this.dataSource.query(
        `SELECT slo_id, state, since, burn_rates, budget_remaining, evidence ->> 'error' AS error, evaluated_at FROM slo_status WHERE slo_id = ANY($1::text[])`,
        [ids],
      );
    return new Map(
      rows.map((r) => [
        r.slo_id,
        {
          state: r.state,
          since: new Date(r.since),
          burnRates: r.burn_rates ?? {},
          budgetRemaining: r.budget_remaining === null ? null : Number(r.budget_remaining),
          error: r.error,
          evaluatedAt: new Date(r.evaluated_at),
        },
      ]),
    );
  }

  statuses(): Promise<SloStatus[]> {
    return this.dataSource.getRepository(SloStatus).find();
  }
}
