import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse } from 'yaml';
import { loadRules } from '../../server/src/rules/rules-loader';
import { REPO_ROOT, runHeadroomCli, startHeadroomProcess, waitFor, type HeadroomProcess } from '../support/headroom-process';
import { startAlertmanager, type AlertmanagerProcess } from '../support/debian-tools';

/**
 * alerts/examples/: the files a team copies. Every Headroom file there must pass `validate`, each
 * SLO file with only what its header says it needs, the default app must not load them, and the
 * Alertmanager config must be one a real Alertmanager accepts and that delivers to Headroom
 * under the example routes.
 */
const EXAMPLES = path.join(REPO_ROOT, 'alerts/examples');
const EXAMPLE_RUNBOOKS = path.join(EXAMPLES, 'runbooks');
const yamlFiles = fs.readdirSync(EXAMPLES).filter((f) => /\.ya?ml$/.test(f)).sort();

describe('alerts/examples', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'headroom-examples-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('has the files the docs promise', () => {
    expect(yamlFiles).toEqual([
      'alertmanager-routes.yaml',
      'heartbeats.yaml',
      'playlist-api-availability.yaml',
      'playlist-api-latency.yaml',
      'prometheus-servers.yaml',
      'recommendations-api-otlp.yaml',
      'search-api-openslo.yaml',
    ]);
    expect(fs.existsSync(path.join(EXAMPLES, 'alertmanager/alertmanager.yml'))).toBe(true);
  });

  it('passes validate as a whole folder', async () => {
    const run = await runHeadroomCli(['validate'], { HEADROOM_ALERTS_DIR: EXAMPLES, HEADROOM_RUNBOOKS_DIR: EXAMPLE_RUNBOOKS });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^ok: 5 SLOs,/);
    const rules = loadRules(EXAMPLES, () => true);
    expect(rules.slos.map((s) => `${s.id}:${s.sli.source}:${s.sli.kind}`).sort()).toEqual([
      'playlist-api.availability:prometheus:events',
      'playlist-api.latency:prometheus:latency',
      'recommendations-api.availability:otlp:events',
      'recommendations-api.latency:otlp:latency',
      'search-api.availability:prometheus:events',
    ]);
  });

  // A team copies one file: with the servers file (Prometheus SLOs) and its runbooks it must load alone.
  it.each(yamlFiles.filter((f) => f !== 'prometheus-servers.yaml'))('%s passes validate on its own', async (file) => {
    const alone = fs.mkdtempSync(path.join(dir, 'alone-'));
    fs.copyFileSync(path.join(EXAMPLES, file), path.join(alone, file));
    if (/^\s*source: prometheus/m.test(fs.readFileSync(path.join(EXAMPLES, file), 'utf8'))) {
      fs.copyFileSync(path.join(EXAMPLES, 'prometheus-servers.yaml'), path.join(alone, 'prometheus-servers.yaml'));
    }
    const run = await runHeadroomCli(['validate'], { HEADROOM_ALERTS_DIR: alone, HEADROOM_RUNBOOKS_DIR: EXAMPLE_RUNBOOKS });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
  });

  it('is not loaded by the default app (the rules loader reads alerts/ without its subfolders)', () => {
    const defaults = loadRules(path.join(REPO_ROOT, 'alerts'), () => true);
    const exampleServices = ['playlist-api', 'search-api', 'recommendations-api'];
    expect(defaults.slos.filter((s) => exampleServices.includes(s.service))).toEqual([]);
    expect(defaults.prometheusServers).toEqual([]);
  });

  describe('the Alertmanager config with a real Alertmanager', () => {
    const KEY = 'hk_alertmanager_example-0123456789abcdef';
    const ADMIN = 'e2e-admin-token-0123456789abcdef';
    let app: HeadroomProcess;
    let am: AlertmanagerProcess;
    let amUrl: string;

    beforeAll(async () => {
      // Headroom with the example routes as its only alerts file.
      const alerts = path.join(dir, 'alerts');
      fs.mkdirSync(alerts);
      fs.copyFileSync(path.join(EXAMPLES, 'alertmanager-routes.yaml'), path.join(alerts, 'alertmanager-routes.yaml'));
      app = await startHeadroomProcess({
        HEADROOM_DATA_DIR: path.join(dir, 'data'),
        HEADROOM_ADMIN_TOKEN: ADMIN,
        HEADROOM_SIMULATOR: 'false',
        HEADROOM_ALERTS_DIR: alerts,
        HEADROOM_INTEGRATION_KEYS: `alertmanager:prod-alertmanager:${KEY}`,
      });
      // The example as written; only the address, the key file and the waits change.
      const keyFile = path.join(dir, 'headroom-key');
      fs.writeFileSync(keyFile, `${KEY}\n`);
      const example = fs.readFileSync(path.join(EXAMPLES, 'alertmanager/alertmanager.yml'), 'utf8');
      const config = example
        .replace('https://headroom.example.com', app.url)
        .replace('/etc/alertmanager/headroom-key', keyFile)
        .replace(/group_wait: \S+/, 'group_wait: 1s')
        .replace(/group_interval: \S+/, 'group_interval: 2s');
      expect(config).not.toBe(example);
      fs.writeFileSync(path.join(dir, 'alertmanager.yml'), config);
      // An invalid config makes Alertmanager exit at once: the start fails with its output.
      am = await startAlertmanager(path.join(dir, 'alertmanager.yml'), path.join(dir, 'am'));
      amUrl = am.url;
    });

    afterAll(async () => {
      am?.stop();
      await app?.stop();
    });

    it('loads: the receiver posts to Headroom with the key as basic-auth password', async () => {
      const status = (await (await fetch(`${amUrl}/api/v2/status`)).json()) as { config: { original: string } };
      const loaded = parse(status.config.original);
      expect(loaded.route.receiver).toBe('headroom');
      const [hook] = loaded.receivers.find((r: { name: string }) => r.name === 'headroom').webhook_configs;
      expect(hook.url).toBe(`${app.url}/api/integrations/alertmanager`);
      expect(hook.send_resolved).toBe(true);
      expect(hook.http_config.basic_auth.password_file).toBe(path.join(dir, 'headroom-key'));
    });

    it('delivers alerts that the example routes group and resolve', async () => {
      const alert = (instance: string, endsAt?: string) => ({
        labels: { alertname: 'PlaylistApiDown', service: 'playlist-api', severity: 'critical', instance },
        annotations: { summary: 'playlist-api instances are down' },
        startsAt: new Date(Date.now() - 60_000).toISOString(),
        ...(endsAt ? { endsAt } : {}),
      });
      const push = (alerts: unknown[]) => fetch(`${amUrl}/api/v2/alerts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(alerts) });
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      const incidents = async (): Promise<any[]> => (await fetch(`${app.url}/api/incidents`, { headers: { authorization: `Bearer ${ADMIN}` } })).json() as Promise<any[]>;

      expect((await push([alert('a'), alert('b')])).status).toBe(200);
      const [incident] = await waitFor('the incident', async () => {
        const list = await incidents();
        return list.length === 1 && list[0].alertCount >= 2 ? list : null;
      }, 30_000, 200);
      expect(incident).toMatchObject({ source: 'alertmanager', service: 'playlist-api', severity: 'critical', route: 'alertmanager-pages' });

      const now = new Date().toISOString();
      expect((await push([alert('a', now), alert('b', now)])).status).toBe(200);
      // autoResolve: the route closes the incident when Alertmanager reports both resolved.
      await waitFor('the incident resolved by its source', async () => (await incidents())[0].status === 'resolved', 30_000, 200);
      expect(am.log()).not.toMatch(/level=error/);
    });
  });
});
