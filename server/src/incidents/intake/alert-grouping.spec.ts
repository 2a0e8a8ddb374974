import type { IncomingAlert } from './incoming-alert';
import { DEFAULT_ROUTE, routeSchema, toRoute } from '../../rules/route-definition';
import { collapseDeliveries, groupByIncident, joinWithinGroupWait, planAlert, takeBatch, takeRepeats } from './alert-grouping';

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

  describe('groupWait', () => {
    const at = new Date('2026-12-08T03:00:00Z');
    const ago = (s: number) => new Date(at.getTime() - s * 1000);
    const route = (groupWait: string, name = 'r') => toRoute(routeSchema.parse({ name, groupWait }), 'a.yaml');
    const plan = (alertname: string, r = route('30s'), index = 0) => planAlert(alert({ alertname, service: 's', instance: alertname }), index, r);

    it('joins an alert to the incident its route opened less than groupWait ago', () => {
      const other = plan('Other');
      const p = plan('New');
      const moved = joinWithinGroupWait([p], [{ route: 'r', service: 's', fingerprint: other.fingerprint, triggeredAt: ago(29) }], at);
      expect(moved).toEqual([p]);
      expect(p.fingerprint).toBe(other.fingerprint);
      expect(p.joinedWithinGroupWait).toBe(true);
    });

    it('opens a new incident once groupWait has passed, on another route, for another service, or with groupWait 0s', () => {
      const other = plan('Other');
      const late = plan('Late');
      const elsewhere = plan('Elsewhere', route('30s', 'r2'));
      const off = plan('Off', route('0s'));
      const otherService = planAlert(alert({ alertname: 'Dep', service: 'feature-store', instance: 'd' }), 0, route('30s'));
      const own = [late.fingerprint, elsewhere.fingerprint, off.fingerprint, otherService.fingerprint];
      expect(joinWithinGroupWait([late, elsewhere, off, otherService], [{ route: 'r', service: 's', fingerprint: other.fingerprint, triggeredAt: ago(30) }], at)).toEqual([]);
      expect([late.fingerprint, elsewhere.fingerprint, off.fingerprint, otherService.fingerprint]).toEqual(own);
      expect(joinWithinGroupWait([plan('Recent', route('0s'))], [{ route: 'r', service: 's', fingerprint: other.fingerprint, triggeredAt: ago(1) }], at)).toEqual([]);
      const dep = planAlert(alert({ alertname: 'Dep', service: 'feature-store', instance: 'd' }), 0, route('30s'));
      expect(joinWithinGroupWait([dep], [{ route: 'r', service: 's', fingerprint: other.fingerprint, triggeredAt: ago(1) }], at)).toEqual([]);
    });

    it('keeps an alert whose own group is open in that incident', () => {
      const mine = plan('Mine');
      const fingerprint = mine.fingerprint;
      const recent = plan('Recent');
      const open = [{ route: 'r', service: 's', fingerprint: recent.fingerprint, triggeredAt: ago(5) }, { route: 'r', service: 's', fingerprint, triggeredAt: ago(600) }];
      expect(joinWithinGroupWait([mine], open, at)).toEqual([]);
      expect(mine.fingerprint).toBe(fingerprint);
    });

    it('joins the earliest recent incident of the route, and new groups of one batch join the first of them', () => {
      const [a, b, c] = [plan('A'), plan('B'), plan('C')];
      const first = plan('First');
      const second = plan('Second');
      expect(joinWithinGroupWait([a], [{ route: 'r', service: 's', fingerprint: second.fingerprint, triggeredAt: ago(5) }, { route: 'r', service: 's', fingerprint: first.fingerprint, triggeredAt: ago(20) }], at)).toEqual([a]);
      expect(a.fingerprint).toBe(first.fingerprint);
      const bFingerprint = b.fingerprint;
      const againB = plan('B', route('30s'), 2);
      expect(joinWithinGroupWait([b, c, againB], [], at).map((p) => p.alert.title)).toEqual(['C']);
      expect(b.joinedWithinGroupWait).toBeUndefined();
      expect([c.fingerprint, againB.fingerprint]).toEqual([bFingerprint, bFingerprint]);
    });
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

  describe('repeats in flight side by side', () => {
    /** A request of alerts whose open incidents are known (the number), or not (null: the general path). */
    const r = (...homes: Array<number | null>) => ({ alerts: homes, homes });
    const homesOf = (x: { homes: Array<number | null> }) => (x.homes.every((h) => h !== null) ? (x.homes as number[]) : null);

    it('takes repeats of incidents not in flight, marks them busy, and stops before the general path', () => {
      const queue = [r(1, 1), r(2), r(null), r(3)];
      const busy = new Set<number>();
      expect(takeRepeats(queue, homesOf, busy, 100)).toEqual({ taken: [r(1, 1), r(2)], incidents: [1, 2] });
      expect(queue).toEqual([r(null), r(3)]);
      expect([...busy]).toEqual([1, 2]);
      expect(takeRepeats(queue, homesOf, busy, 100).taken).toEqual([]);
    });

    it('leaves requests on a busy incident, and later ones sharing an incident with them, in their order', () => {
      const queue = [r(1), r(2, 1), r(2), r(3)];
      const busy = new Set([1]);
      expect(takeRepeats(queue, homesOf, busy, 100).taken).toEqual([r(3)]);
      expect(queue).toEqual([r(1), r(2, 1), r(2)]);
      busy.clear();
      expect(takeRepeats(queue, homesOf, busy, 100).taken).toEqual([r(1), r(2, 1), r(2)]);
    });

    it('takes up to the alert limit, at least one request', () => {
      const queue = [r(1, 2, 3), r(4), r(5)];
      expect(takeRepeats(queue, homesOf, new Set(), 2).taken).toEqual([r(1, 2, 3)]);
      expect(takeRepeats(queue, homesOf, new Set(), 2).taken).toEqual([r(4), r(5)]);
    });
  });
});
