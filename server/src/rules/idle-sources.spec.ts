import { describeIdleSlos, idleSlos } from './idle-sources';
import type { SloDefinition } from './slo-definition';

const slo = (id: string, sli: SloDefinition['sli']): SloDefinition => ({
  id, service: id.split('.')[0], name: id.split('.')[1], objective: 0.999, periodSeconds: 30 * 86400, sli,
  alerting: { page: true, ticket: true, windows: null, minEvents: 0, noData: null }, severity: 'critical', runbookId: 'r', labels: {}, file: 'a.yaml',
});

const slos = [
  slo('ranker.availability', { kind: 'events', source: 'simulator' }),
  slo('ranker.latency', { kind: 'latency', source: 'simulator', thresholdSeconds: 0.25 }),
  slo('api.availability', { kind: 'events', source: 'prometheus', server: 'default', errorQuery: 'e[{{window}}]', totalQuery: 't[{{window}}]' }),
  slo('cart.latency', { kind: 'latency', source: 'otlp', thresholdSeconds: 0.3, histogram: { metric: 'h', serviceName: 'cart', attributes: {} } }),
];

describe('idleSlos', () => {
  it('names nothing while the simulator runs', () => {
    expect(idleSlos(slos, { simulator: true, databaseUrlSet: true })).toEqual([]);
  });

  it('names the simulator SLOs when the simulator is off, with why and what to do', () => {
    const idle = idleSlos(slos, { simulator: false, databaseUrlSet: true });
    expect(idle.map((i) => i.slo)).toEqual(['ranker.availability', 'ranker.latency']);
    expect(idle[0].reason).toMatch(/simulator is off \(the default when DATABASE_URL is set\).*HEADROOM_SIMULATOR=true/);
    expect(idleSlos(slos, { simulator: false, databaseUrlSet: false })[0].reason).toMatch(/HEADROOM_SIMULATOR=false/);
  });

  it('describes them in one line', () => {
    expect(describeIdleSlos([])).toBe('ok');
    expect(describeIdleSlos(idleSlos(slos, { simulator: false, databaseUrlSet: true }))).toMatch(/^2 SLOs cannot receive data: ranker.availability, ranker.latency; the simulator is off/);
  });
});
