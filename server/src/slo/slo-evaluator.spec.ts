import type { DataSource } from 'typeorm';
import { ManualClock } from '../common/clock';
import { formatDuration } from '../common/duration';
import type { AppMetrics } from '../common/metrics';
import type { Logger } from '../common/logger';
import type { SignalHandler } from '../common/signals';
import type { AppConfig } from '../config/config';
import type { LeaseService } from '../common/lease.service';
import type { RulesService } from '../rules/rules.service';
import type { SloDefinition } from '../rules/slo-definition';
import { alertPairsFor } from './alert-pairs';
import { errorBudgetRemaining, evaluateBurnRate, requiredWindows, type WindowCounts } from './burn-rate';
import { tableOfCounts, type SliReader, type SloWindowCounts } from './sli-reader';
import { SloEvaluator, statusRefreshMs, type SloEvaluation } from './slo-evaluator.service';

const base = {
  objective: 0.999,
  periodSeconds: 30 * 86_400,
  alerting: { page: true, ticket: true, windows: null, minEvents: 0, noData: null },
  severity: 'critical',
  runbookId: 'r.md',
  labels: {},
  file: 'spec',
} as const;

function slo(id: string, extra: Record<string, unknown> = {}): SloDefinition {
  return { ...base, id, service: 'svc', name: id, sli: { kind: 'events', source: 'simulator' }, ...extra } as unknown as SloDefinition;
}

/** A deterministic pseudo-random sequence, so a failure reproduces. */
function random(seed: number): () => number {
  let s = seed;
  return () => ((s = (s * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648);
}

/** The evaluator's answer computed the plain way: one evaluateBurnRate and one object per SLO. */
function reference(definition: SloDefinition, found: SloWindowCounts | undefined, evaluatedAt: string): Omit<SloEvaluation, 'slo'> {
  const counts = found ?? { windows: new Map<number, WindowCounts>(), error: `no reader for source ${definition.sli.source}` };
  const pairs = alertPairsFor(definition);
  const pairWindows = requiredWindows(pairs);
  const windows = [...new Set([...pairWindows, definition.periodSeconds])];
  const result = counts.error
    ? { state: 'no-data' as const, pairs: pairs.map((pair) => ({ pair, longBurn: null, shortBurn: null, firing: false })), burnRates: {} as Record<number, number | null> }
    : evaluateBurnRate({ objective: definition.objective, pairs, windows: counts.windows, minEvents: definition.alerting.minEvents });
  const period = counts.windows.get(definition.periodSeconds) ?? { good: 0, total: 0 };
  const budgetRemaining = errorBudgetRemaining(period.good, period.total, definition.objective);
  const burnRates: Record<string, number | null> = {};
  if (!counts.error) for (const w of pairWindows) burnRates[formatDuration(w)] = result.burnRates[w] ?? null;
  return {
    state: result.state,
    burnRates,
    budgetRemaining,
    evidence: {
      objective: definition.objective,
      period: formatDuration(definition.periodSeconds),
      burnRates,
      budgetRemaining,
      ...(counts.error ? { error: counts.error } : {}),
      windowPairs: result.pairs.map((p) => ({
        severity: p.pair.severity,
        long: formatDuration(p.pair.long),
        short: formatDuration(p.pair.short),
        threshold: p.pair.burnRate,
        longBurn: p.longBurn,
        shortBurn: p.shortBurn,
        firing: p.firing,
      })),
      events: Object.fromEntries(windows.map((w) => [formatDuration(w), counts.windows.get(w) ?? null])),
      evaluatedAt,
    },
  };
}

/** A reader answering from a fixed Map, as windowCounts, or as a table when `asTable`. */
function reader(sources: string[], answer: Map<string, SloWindowCounts>, asTable: boolean): SliReader {
  const windowCounts = async () => answer;
  return {
    sources: sources as SliReader['sources'],
    windowCounts,
    ...(asTable ? { windowTable: async (_slos: SloDefinition[], _now: Date, windows: number[]) => tableOfCounts(answer, windows) } : {}),
  };
}

interface Written {
  slo_id: string;
  state: string;
  since: string;
  burn_rates: Record<string, number | null>;
  budget_remaining: number | null;
  evidence: Record<string, unknown>;
  evaluated_at: string;
}

/** Just enough of a DataSource for the evaluator's two statements, over an in-memory table. */
function fakeDatabase() {
  const rows = new Map<string, Written>();
  const writes: string[][] = [];
  const dataSource = {
    async query(sql: string, params: unknown[]) {
      if (sql.trimStart().startsWith('SELECT')) {
        const ids = params[0] as string[];
        return ids.flatMap((id) => {
          const r = rows.get(id);
          return r ? [{ ...r, error: typeof r.evidence.error === 'string' ? r.evidence.error : null }] : [];
        });
      }
      const batch = JSON.parse(params[0] as string) as Written[];
      writes.push(batch.map((r) => r.slo_id));
      for (const r of batch) rows.set(r.slo_id, { ...r, evaluated_at: params[1] as string });
      return [];
    },
  };
  return { dataSource: dataSource as unknown as DataSource, rows, writes };
}

function evaluator(readers: SliReader[], clock = new ManualClock(new Date('2026-12-01T12:00:30Z')), dataSource = fakeDatabase().dataSource) {
  const metrics = { evaluationSeconds: { startTimer: () => () => 0 }, evaluations: { inc: () => undefined }, signals: { inc: () => undefined } };
  const signals = { published: [] as unknown[], async handleSignals(s: unknown[]) { this.published.push(...s); } };
  const none = undefined as unknown;
  return {
    signals,
    evaluator: new SloEvaluator(dataSource, none as RulesService, signals as unknown as SignalHandler, none as LeaseService, none as never,
      metrics as unknown as AppMetrics, readers, clock, none as AppConfig, none as Logger),
  };
}

const plain = (r: SloEvaluation) => JSON.parse(JSON.stringify({ state: r.state, burnRates: r.burnRates, budgetRemaining: r.budgetRemaining, evidence: r.evidence }));

describe('SloEvaluator.compute', () => {
  const now = new Date('2026-12-01T12:00:30Z');
  const definitions = [
    slo('default'),
    slo('p99', { objective: 0.99, periodSeconds: 28 * 86_400 }),
    slo('guarded', { alerting: { ...base.alerting, minEvents: 500 } }),
    slo('pages-only', { alerting: { ...base.alerting, ticket: false } }),
    slo('custom', { alerting: { page: true, ticket: true, minEvents: 0, noData: null, windows: [{ severity: 'page', long: 1800, short: 120, budgetShare: 0.01 }, { severity: 'ticket', long: 7 * 86_400, short: 43_200, budgetShare: 0.2 }] } }),
  ];

  it('gives the same states, figures and evidence as one evaluateBurnRate per SLO, from a table or a Map', async () => {
    const next = random(42);
    for (let round = 0; round < 40; round++) {
      const slos: SloDefinition[] = [];
      const answer = new Map<string, SloWindowCounts>();
      for (const [k, d] of definitions.entries()) {
        const s = { ...d, id: `${d.id}-${round}-${k}` } as SloDefinition;
        slos.push(s);
        const windows = new Map<number, WindowCounts>();
        const wanted = [...requiredWindows(alertPairsFor(s)), s.periodSeconds];
        // Counts from burning hard to not at all; some windows missing, empty or drifting (good > total).
        for (const w of wanted) {
          const roll = next();
          if (roll < 0.1) continue;
          const total = roll < 0.15 ? 0 : Math.floor(next() * 2000);
          const bad = Math.floor(total * next() * next() * 0.2);
          windows.set(w, { total, good: roll > 0.95 ? total + 3 : total - bad });
        }
        answer.set(s.id, next() < 0.05 ? { windows, error: 'query failed' } : { windows });
      }
      // One SLO no reader answers for.
      slos.push({ ...definitions[0], id: `orphan-${round}`, sli: { kind: 'events', source: 'otlp' } } as unknown as SloDefinition);
      for (const asTable of [false, true]) {
        const { evaluator: e } = evaluator([reader(['simulator'], answer, asTable)]);
        const results = await e.compute(slos, now);
        results.forEach((r, i) => {
          expect(r.slo).toBe(slos[i]);
          expect(plain(r)).toEqual(JSON.parse(JSON.stringify(reference(slos[i], answer.get(slos[i].id), now.toISOString()))));
        });
      }
    }
  });

  it('puts the SLOs of a reader that throws in no-data with its message', async () => {
    const failing: SliReader = { sources: ['simulator'], windowCounts: async () => Promise.reject(new Error('connection refused')) };
    const [r] = await evaluator([failing]).evaluator.compute([slo('a')], now);
    expect(r.state).toBe('no-data');
    expect(r.burnRates).toEqual({});
    expect(r.evidence.error).toBe('connection refused');
  });
});

describe('SloEvaluator.evaluate: storing statuses', () => {
  const at = new Date('2026-12-01T12:00:30Z');
  const counts = (total: number, good: number) => {
    const windows = new Map<number, WindowCounts>();
    for (const w of [300, 1800, 3600, 7200, 21_600, 86_400, 259_200]) windows.set(w, { total, good });
    // The 30-day budget moves slowly; here it stays put.
    windows.set(2_592_000, { total: 1_000_000, good: 999_500 });
    return { windows };
  };

  it('writes a status when it is new, its state or shown figures changed, or it is a few minutes old; signals every pass', async () => {
    const answer = new Map<string, SloWindowCounts>([
      ['a', counts(1000, 999.5)],
      ['b', counts(1000, 1000)],
    ]);
    const clock = new ManualClock(at);
    const db = fakeDatabase();
    const { evaluator: e, signals } = evaluator([reader(['simulator'], answer, true)], clock, db.dataSource);
    const slos = [slo('a'), slo('b')];

    await e.evaluate('manual', slos);
    expect(db.writes).toEqual([['a', 'b']]);
    expect(db.rows.get('a')).toMatchObject({ state: 'ok', burn_rates: { '5m': 0.5 }, since: at.toISOString(), evaluated_at: at.toISOString() });
    expect(db.rows.get('a')!.evidence).toMatchObject({ events: { '5m': { total: 1000, good: 999.5 } }, evaluatedAt: at.toISOString() });

    // 30 s later: a burn rate 0.005 higher is the same figure; nothing is written.
    clock.advance(30_000);
    answer.set('a', counts(1000, 999.495));
    await e.evaluate('manual', slos);
    expect(db.writes).toHaveLength(1);

    // 0.02 higher is written, with the new evidence; the other SLO stays as stored.
    clock.advance(30_000);
    answer.set('a', counts(1000, 999.48));
    await e.evaluate('manual', slos);
    expect(db.writes.at(-1)).toEqual(['a']);
    expect(db.rows.get('a')!.evaluated_at).toBe(clock.now().toISOString());
    expect(db.rows.get('a')!.evidence).toMatchObject({ events: { '5m': { total: 1000, good: 999.48 } } });
    expect(db.rows.get('b')!.evaluated_at).toBe(at.toISOString());

    // A page is written at once (since moves) and signalled on every pass, written or not.
    clock.advance(30_000);
    answer.set('b', counts(1000, 900));
    await e.evaluate('manual', slos);
    expect(db.writes.at(-1)).toEqual(['b']);
    expect(db.rows.get('b')).toMatchObject({ state: 'page', since: clock.now().toISOString() });
    clock.advance(30_000);
    await e.evaluate('manual', slos);
    expect(db.writes).toHaveLength(3);
    expect(signals.published.filter((s) => (s as { status: string }).status === 'firing')).toHaveLength(2);

    // Unchanged figures are written again once they are statusRefreshMs old (2.5 to 5 minutes,
    // by SLO), keeping `since`. 'a' was written last at +60 s, 'b' at +90 s.
    const due = { a: at.getTime() + 60_000 + statusRefreshMs('a'), b: at.getTime() + 90_000 + statusRefreshMs('b') };
    for (const id of (['a', 'b'] as Array<'a' | 'b'>).sort((x, y) => due[x] - due[y])) {
      const writes = db.writes.length;
      clock.set(new Date(due[id] - 1));
      await e.evaluate('manual', slos);
      expect(db.writes).toHaveLength(writes);
      clock.set(new Date(due[id]));
      await e.evaluate('manual', slos);
      expect(db.writes.at(-1)).toEqual([id]);
    }
    expect(db.rows.get('b')).toMatchObject({ state: 'page', since: new Date(at.getTime() + 90_000).toISOString() });

    // A source failing is a change of its own (no-data, the reason stored).
    clock.advance(30_000);
    answer.set('a', { ...counts(1000, 999), error: 'timeout' });
    await e.evaluate('manual', slos);
    expect(db.writes.at(-1)).toEqual(['a']);
    expect(db.rows.get('a')).toMatchObject({ state: 'no-data', burn_rates: {}, evidence: { error: 'timeout' } });
  });
});

describe('statusRefreshMs', () => {
  it('spreads SLOs between 2.5 and 5 minutes, the same for an SLO every time', () => {
    const ms = Array.from({ length: 1000 }, (_, i) => statusRefreshMs(`svc-${i}.availability`));
    expect(Math.min(...ms)).toBeGreaterThanOrEqual(150_000);
    expect(Math.max(...ms)).toBeLessThanOrEqual(300_000);
    expect(Math.max(...ms) - Math.min(...ms)).toBeGreaterThan(140_000);
    expect(statusRefreshMs('svc-1.availability')).toBe(ms[1]);
  });
});
