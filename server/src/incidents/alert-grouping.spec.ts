import type { IncomingAlert } from '../routing/alert';
import { DEFAULT_ROUTE, routeSchema, toRoute } from '../routing/route-definition';
import { collapseDeliveries, groupByIncident, planAlert, takeBatch } from './alert-grouping';

function alert(labels: Record<string, string>, key = labels.instance ?? 'k'): IncomingAlert {
  return {
    source: 'alertmanager', key, action: 'trigger', labels, annotations: {}, title: labels.alertname ?? 't', severity: null, service: labels.service ?? null,
    startsAt: new Date(0), endsAt: null, generatorUrl: null, runbookUrl: null, description: null, payload: {}, integration: { id: 'i', name: 'am' },
  };
}

describe('alert grouping', () => {
  it('plans each alert with its route, group and defaults', () => {
    const route = toRoute(routeSchema.parse({ name: 'r', severity: 'warning' }), 'a.yaml');
    const p = planAlert(alert({ alertname: 'A', service: 's', instance: '1' }), 0, route);
    expect(p).toMatchObject({ alertKey: 'alertmanager:1', severity: 'warning', service: 's', groupLabels: { alertname: 'A', service: 's' } });
    expect(planAlert(alert({ alertname: 'A' }), 1, DEFAULT_ROUTE)).toMatchObject({ service: 'unknown', severity: 'error' });
  });

  it('groups by incident fingerprint in a stable order, remembering whether any alert is un-muted', () => {
    const planned = [
      planAlert(alert({ alertname: 'B', service: 's', instance: '1' }), 0, DEFAULT_ROUTE),
      planAlert(alert({ alertname: 'A', service: 's', instance: '1' }), 1, DEFAULT_ROUTE),
      planAlert(alert({ alertname: 'B', service: 's', instance: '2' }), 2, DEFAULT_ROUTE),
    ];
    planned[0].muted = { kind: 'silence', id: 1, text: 's' };
    const groups = groupByIncident(planned);
    expect(groups).toHaveLength(2);
    expect(groups.map((g) => g.fingerprint)).toEqual([...groups.map((g) => g.fingerprint)].sort());
    const b = groups.find((g) => g.first.alert.labels.alertname === 'B')!;
    expect(b.alerts.map((p) => p.index)).toEqual([0, 2]);
    expect(b.anyUnmuted).toBe(true);
  });

  it('collapses repeated deliveries of one alert into a count', () => {
    const p = planAlert(alert({ alertname: 'A', service: 's', instance: '1' }), 0, DEFAULT_ROUTE);
    const q = planAlert(alert({ alertname: 'A', service: 's', instance: '2' }), 1, DEFAULT_ROUTE);
    const rows = collapseDeliveries([{ incidentId: 1, planned: p }, { incidentId: 1, planned: p }, { incidentId: 1, planned: q }, { incidentId: 1, planned: p }]);
    expect(rows.map((r) => [r.last.alertKey, r.count])).toEqual([['alertmanager:1', 3], ['alertmanager:2', 1]]);
  });
});

describe('group commit batches', () => {
  const req = (...alerts: Array<[string, 'trigger' | 'acknowledge' | 'resolve']>) => ({ alerts: alerts.map(([key, action]) => ({ source: 'alertmanager' as const, key, action })) });

  it('takes requests in order up to the alert limit (always at least one)', () => {
    const queue = [req(['a', 'trigger'], ['b', 'trigger']), req(['c', 'trigger']), req(['d', 'trigger'], ['e', 'trigger'])];
    expect(takeBatch(queue, 3).map((r) => r.alerts.length)).toEqual([2, 1]);
    expect(queue).toHaveLength(1);
    const big = [req(['a', 'trigger'], ['b', 'trigger'], ['c', 'trigger'])];
    expect(takeBatch(big, 1)).toHaveLength(1);
  });

  it('merges repeated triggers but never reorders a trigger and a follow-up of the same alert', () => {
    expect(takeBatch([req(['a', 'trigger']), req(['a', 'trigger']), req(['a', 'trigger'])], 100)).toHaveLength(3);
    expect(takeBatch([req(['a', 'trigger']), req(['a', 'resolve']), req(['b', 'trigger'])], 100)).toHaveLength(1);
    expect(takeBatch([req(['a', 'resolve']), req(['a', 'trigger'])], 100)).toHaveLength(1);
    expect(takeBatch([req(['a', 'resolve']), req(['b', 'acknowledge'])], 100)).toHaveLength(2);
  });
});
