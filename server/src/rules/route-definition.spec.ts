import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RulesError, formatProblem } from './yaml-source';
import type { IncomingAlert } from '../incidents/intake/incoming-alert';
import { DEFAULT_ROUTE, groupFingerprint, groupLabels, openingNotice, selectRoute, toRoute, routeSchema } from './route-definition';
import { RoutesService } from './routes.service';
import { loadRoutes } from './routes-loader';

const alert = (labels: Record<string, string>, source: IncomingAlert['source'] = 'alertmanager') => ({ labels, source, service: labels.service ?? null, severity: null });

describe('routes', () => {
  const ranker = toRoute(routeSchema.parse({ name: 'ranker', match: ['service="now-playing-ranker"'], autoResolve: true, groupBy: ['service'] }), 'a.yaml');
  const pd = toRoute(routeSchema.parse({ name: 'pagerduty', source: ['pagerduty'], groupBy: ['dedup_key'] }), 'a.yaml');

  it('picks the first route that matches, else the default', () => {
    expect(selectRoute([ranker, pd], alert({ service: 'now-playing-ranker', alertname: 'X' })).name).toBe('ranker');
    expect(selectRoute([ranker, pd], alert({ service: 'feature-store' }, 'pagerduty')).name).toBe('pagerduty');
    expect(selectRoute([ranker, pd], alert({ service: 'feature-store' }))).toBe(DEFAULT_ROUTE);
  });

  it('defaults to grouping by service and alertname, resolved with its alerts, like the built-in default route', () => {
    const r = toRoute(routeSchema.parse({ name: 'x' }), 'a.yaml');
    expect(r).toMatchObject({ groupBy: ['service', 'alertname'], autoResolve: true, severity: 'error', runbookId: null });
    expect(DEFAULT_ROUTE).toMatchObject({ groupBy: r.groupBy, autoResolve: true, severity: r.severity });
  });

  it('gives alerts with the same grouping labels the same fingerprint, whatever else differs', () => {
    const a = groupFingerprint(DEFAULT_ROUTE, { service: 's', alertname: 'A', instance: '1' });
    const b = groupFingerprint(DEFAULT_ROUTE, { alertname: 'A', service: 's', instance: '2' });
    const c = groupFingerprint(DEFAULT_ROUTE, { service: 's', alertname: 'B', instance: '1' });
    expect(a).toBe(b);
    expect(a).not.toBe(c);
    expect(a).toMatch(/^alerts:default:[0-9a-f]{24}$/);
    // A missing label groups as the empty string.
    expect(groupLabels(DEFAULT_ROUTE, { alertname: 'A' })).toEqual({ alertname: 'A', service: '' });
    const everyLabel = toRoute(routeSchema.parse({ name: 'each', groupBy: ['...'] }), 'a.yaml');
    expect(groupFingerprint(everyLabel, { a: '1', b: '2' })).not.toBe(groupFingerprint(everyLabel, { a: '1', b: '3' }));
  });
});

describe('ticket channel', () => {
  const tickets = toRoute(routeSchema.parse({ name: 'ranker', match: ['service="now-playing-ranker"'], slackChannel: '#ranker-oncall', ticketChannel: '#ranker-tickets' }), 'a.yaml');
  const pagesOnly = toRoute(routeSchema.parse({ name: 'feature-store', match: ['service="feature-store"'], slackChannel: '#fs-oncall' }), 'a.yaml');
  const routes = new RoutesService([tickets, pagesOnly]);
  // An SLO incident has no route of its own: it is routed by its labels, service and severity.
  const sloIncident = (service: string) => ({ route: null, labels: { slo: `${service}.availability` }, service, severity: 'critical', source: 'slo' });

  it('reads a channel name or id, and names the field and an example when it is neither', () => {
    expect(tickets.ticketChannel).toBe('#ranker-tickets');
    expect(toRoute(routeSchema.parse({ name: 'x', ticketChannel: 'C012AB3CD' }), 'a.yaml').ticketChannel).toBe('C012AB3CD');
    expect(pagesOnly.ticketChannel).toBeNull();
    expect(DEFAULT_ROUTE.ticketChannel).toBeNull();
    const bad = routeSchema.safeParse({ name: 'x', ticketChannel: 'Ranker Tickets!' });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues[0]).toMatchObject({ path: ['ticketChannel'], message: expect.stringContaining('#ranker-tickets') });
  });

  it('posts a ticket to the ticket channel of the route its labels select', () => {
    expect(openingNotice('ticket', routes.forIncident(sloIncident('now-playing-ranker')))).toEqual({ kind: 'ticket', channel: '#ranker-tickets' });
  });

  it('shows a ticket in the console only on a route without a ticket channel, or on no route', () => {
    expect(openingNotice('ticket', routes.forIncident(sloIncident('feature-store')))).toEqual({ kind: 'console-ticket' });
    expect(openingNotice('ticket', routes.forIncident(sloIncident('model-serving')))).toEqual({ kind: 'console-ticket' });
  });

  it('pages a page whatever the route names for tickets', () => {
    expect(openingNotice('page', routes.forIncident(sloIncident('now-playing-ranker')))).toEqual({ kind: 'page' });
    expect(openingNotice('page', routes.forIncident(sloIncident('feature-store')))).toEqual({ kind: 'page' });
  });
});

describe('loadRoutes', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'routes-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, text: string) => fs.writeFileSync(path.join(dir, name), text);
  const problems = () => {
    try {
      loadRoutes(dir, (f) => f === 'here.md');
    } catch (err) {
      if (err instanceof RulesError) return err.problems.map((p) => formatProblem({ ...p, file: path.basename(p.file) }));
      throw err;
    }
    return [];
  };

  it('reads routes in file order, ignoring files without routes', () => {
    write('a.yaml', 'service: a\nslos: []\n');
    write('b.yaml', 'routes:\n  - name: first\n    match: [\'service="a"\']\n  - name: second\n    runbook: here.md\n');
    const routes = loadRoutes(dir, (f) => f === 'here.md');
    expect(routes.map((r) => [r.name, r.runbookId])).toEqual([['first', null], ['second', 'here']]);
  });

  it('reports bad matchers, unknown fields, missing runbooks and duplicates with file and line', () => {
    write('a.yaml', 'routes:\n  - name: one\n    match: [\'service\']\n    colour: red\n');
    write('b.yaml', 'routes:\n  - name: two\n    runbook: gone.md\n  - name: two\n');
    const found = problems();
    expect(found).toHaveLength(4);
    expect(found).toEqual(expect.arrayContaining([
      'a.yaml:3: routes.0.match.0: "service" is not a matcher: write label="value", label!="value", label=~"regex" or label!~"regex"',
      'a.yaml:4: routes.0.colour: unknown field',
      'b.yaml:2: routes.0.runbook: runbook gone.md not found in runbooks/',
      expect.stringMatching(/^b\.yaml:\d+: routes\.1\.name: duplicate route two \(also in .*b\.yaml\)$/),
    ]));
  });
});
