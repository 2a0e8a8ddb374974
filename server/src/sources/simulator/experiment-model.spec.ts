import { evaluateExperiment } from '../../guardrails/experiment-evaluation';
import { snapshotIssues } from '../../guardrails/experiment-snapshot';
import { experimentSchema, toExperimentDefinition } from '../../rules/experiment-definition';
import { advanceSnapshot } from './experiment-model';

const MINUTE = 60_000;
const START = Date.UTC(2026, 10, 20, 9, 0);

const def = toExperimentDefinition(
  experimentSchema.parse({
    name: 'ranker-v42',
    service: 'now-playing-ranker',
    start: '2026-11-20T09:00:00Z',
    variants: [
      { name: 'control', control: true, share: 0.5 },
      { name: 'v42', share: 0.5 },
    ],
    guardrails: [
      { name: 'skip_rate', kind: 'proportion', direction: 'lower_is_better', margin: 0.02 },
      { name: 'listening_minutes', kind: 'mean', direction: 'higher_is_better', margin: 0.01 },
    ],
    success: [{ name: 'stream_starts', kind: 'proportion', direction: 'higher_is_better' }],
  }),
  null,
);

const run = (minutes: number, harmAt: (ms: number) => number = () => 0, seed = 42, from = START, previous = null as ReturnType<typeof advanceSnapshot> | null) =>
  advanceSnapshot({ def, previous, fromMs: from, toMs: from + minutes * MINUTE, harmAt, seed });

describe('simulated experiment snapshots', () => {
  it('are deterministic and add up minute by minute, whatever the chunks', () => {
    const whole = run(120);
    expect(run(120)).toEqual(whole);
    const firstHalf = run(45);
    const inTwo = run(75, undefined, 42, START + 45 * MINUTE, firstHalf);
    expect(inTwo.control.units).toBe(whole.control.units);
    expect(inTwo.v42.metrics).toEqual(whole.v42.metrics);
    expect(run(120, undefined, 7)).not.toEqual(whole);
  });

  it('are snapshots a real experiment could send (counts in range, possible variances)', () => {
    const snapshot = run(300, () => 0.3);
    expect(snapshotIssues(def, snapshot)).toEqual([]);
    expect(snapshot.control.units).toBeGreaterThan(300 * 100);
  });

  it('without harm (an A/A test) breach nothing, at any of 100 looks over a day', () => {
    let previous = null as ReturnType<typeof advanceSnapshot> | null;
    const breaches: string[] = [];
    for (let look = 0; look < 100; look++) {
      const from = START + look * 15 * MINUTE;
      previous = run(15, undefined, 42, from, previous);
      const results = evaluateExperiment(def, { at: new Date(from + 15 * MINUTE), variants: previous });
      for (const m of results.metrics) if (m.state === 'breach') breaches.push(`${look}:${m.metric}`);
      expect(results.srm.state).not.toBe('mismatch');
    }
    expect(breaches).toEqual([]);
  });

  it('with harm injected, the harmed guardrails breach within the hour, and only they', () => {
    const harmFrom = START + 60 * MINUTE;
    const snapshot = run(120, (ms) => (ms >= harmFrom ? 0.25 : 0));
    const results = evaluateExperiment(def, { at: new Date(START + 120 * MINUTE), variants: snapshot });
    const states = Object.fromEntries(results.metrics.map((m) => [m.metric, m.state]));
    expect(states).toEqual({ skip_rate: 'breach', listening_minutes: 'breach', stream_starts: 'ok' });
  });
});
