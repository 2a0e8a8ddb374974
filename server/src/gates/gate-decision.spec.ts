import { decideGate, type GateSlo } from './gate-decision';

const t = (m: number) => new Date(Date.UTC(2026, 11, 8, 3, m));
const slo = (id: string, state: GateSlo['state'], since: Date | null = t(0), extra: Partial<GateSlo> = {}): GateSlo => ({
  id, name: id.split('.')[1], state, since, burnRates: { '1h': 15.2, '5m': 18 }, noDataReason: null, ...extra,
});

describe('gate decision', () => {
  it('passes when no SLO burns, no guardrail breaches and no incident is open, saying what it checked', () => {
    expect(decideGate('ranker', [slo('ranker.availability', 'ok')], [{ id: 'exp', breaches: [] }], [])).toEqual({
      pass: true, service: 'ranker', reasons: [], checked: { slos: ['ranker.availability'], experiments: ['exp'], incidents: 0 },
    });
  });

  it('fails on a paging or ticket burn, a blind SLO, a guardrail breach and an open incident, with one reason each', () => {
    const d = decideGate(
      'ranker',
      [slo('ranker.availability', 'page'), slo('ranker.latency', 'ticket', t(1), { burnRates: { '6h': 6.3, '30m': 7 } }), slo('ranker.freshness', 'no-data', null, { noDataReason: 'prometheus: timeout' })],
      [{ id: 'ranker-v42', breaches: [{ metric: 'skip_rate', variant: 'v42' }] }],
      [{ id: 7, title: 'ranker errors', status: 'acknowledged', triggeredAt: t(2) }],
    );
    expect(d.pass).toBe(false);
    expect(d.reasons).toEqual([
      'SLO ranker.availability is burning its error budget fast enough to page (5m 18×, 1h 15×) since 2026-12-08T03:00:00.000Z',
      'SLO ranker.latency is slowly burning its error budget (30m 7.0×, 6h 6.3×) since 2026-12-08T03:01:00.000Z',
      'SLO ranker.freshness cannot be judged: prometheus: timeout',
      'experiment ranker-v42: guardrail skip_rate is in breach for v42',
      'incident #7 is acknowledged: ranker errors',
    ]);
  });

  it('judges only the SLO and experiment asked for, and only burns and incidents that began since the canary started', () => {
    const slos = [slo('ranker.availability', 'page', t(0)), slo('ranker.latency', 'page', t(10))];
    const incidents = [{ id: 1, title: 'old', status: 'triggered', triggeredAt: t(0) }, { id: 2, title: 'new', status: 'triggered', triggeredAt: t(10) }];
    expect(decideGate('ranker', slos, [], [], { slo: 'availability' }).checked.slos).toEqual(['ranker.availability']);
    expect(decideGate('ranker', slos, [{ id: 'a', breaches: [{ metric: 'm', variant: 'b' }] }, { id: 'b', breaches: [] }], [], { experiment: 'b', slo: 'x' })).toMatchObject({ pass: true, checked: { slos: [], experiments: ['b'] } });
    const d = decideGate('ranker', slos, [], incidents, { since: t(5) });
    expect(d.reasons).toEqual([expect.stringMatching(/^SLO ranker.latency is burning/), 'incident #2 is triggered: new']);
    // A blind SLO is never excused by `since`: nothing says it is fine.
    expect(decideGate('ranker', [slo('ranker.freshness', 'no-data', t(0))], [], [], { since: t(5) }).pass).toBe(false);
  });
});
