import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { loadConfig } from '../../server/src/config/config';
import { composeEnv, readCompose } from '../support/compose';
import { REPO_ROOT, runHeadroomCli } from '../support/headroom-process';

/** docker compose cannot run here (no Docker daemon); these checks keep the files true to the code. */
describe('docker-compose.yml and Dockerfile', () => {
  const compose = readCompose();
  const dockerfile = fs.readFileSync(path.join(REPO_ROOT, 'Dockerfile'), 'utf8');

  it('runs PostgreSQL and Headroom built from the repository, wired by DATABASE_URL', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['headroom', 'postgres', 'prometheus']);
    const { headroom, postgres } = compose.services;
    expect(headroom.build).toBe('.');
    expect(headroom.depends_on.postgres.condition).toBe('service_healthy');
    const url = new URL(headroom.environment.DATABASE_URL);
    expect(url.hostname).toBe('postgres');
    expect(url.username).toBe(postgres.environment.POSTGRES_USER);
    expect(url.password).toBe(postgres.environment.POSTGRES_PASSWORD);
    expect(url.pathname).toBe(`/${postgres.environment.POSTGRES_DB}`);
    expect(headroom.ports).toContain(`${headroom.environment.PORT}:8080`);
  });

  it('passes only environment variables the config knows, and they validate', () => {
    const env = composeEnv(compose);
    const config = loadConfig(env, REPO_ROOT);
    expect(config.databaseUrl).toBe('postgresql://headroom:headroom@postgres:5432/headroom');
    expect(config.host).toBe('0.0.0.0');
    expect(config.slack).toBeUndefined();
    const example = fs.readFileSync(path.join(REPO_ROOT, '.env.example'), 'utf8');
    for (const key of Object.keys(env)) expect(example).toContain(key);
  });

  it('builds the server and the console and starts the compiled entry point', () => {
    expect(dockerfile).toMatch(/RUN npm run build/);
    const cmd = /CMD \[(.*)\]/.exec(dockerfile)![1];
    const [node, ...args] = JSON.parse(`[${cmd}]`) as string[];
    // The image runs the server with the flags `npm start` uses.
    const flags = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'scripts/node-flags.json'), 'utf8')) as string[];
    expect([node, ...args.slice(0, flags.length)]).toEqual(['node', ...flags]);
    const [entry, command] = args.slice(flags.length);
    expect(command).toBe('start');
    const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'server/package.json'), 'utf8'));
    expect(entry).toBe(`server/${pkg.main}`);
    // tsc compiles server/src/main.ts (rootDir is the repo root) to server/dist/server/src/main.js.
    expect(pkg.main).toBe('dist/server/src/main.js');
    expect(fs.existsSync(path.join(REPO_ROOT, 'server/src/main.ts'))).toBe(true);
  });
});

/**
 * The compose demo on the real paths: Prometheus scrapes the simulated services' /metrics and
 * Headroom's Prometheus-backed SLOs query it; the simulator pushes OTLP to Headroom's own
 * receiver with a key Headroom registers. Each wire is checked end to end in the files.
 */
describe('the compose demo: Prometheus and OTLP wiring', () => {
  const compose = readCompose();
  const env = composeEnv(compose);
  const config = loadConfig(env, REPO_ROOT);
  const { headroom, prometheus } = compose.services;
  /** `host:container` volume mounts of a service, as [host path, container path]. */
  const mounts = (service: { volumes: string[] }) => service.volumes.map((v) => v.split(':')).filter((v) => v[0].startsWith('./'));
  const promConfigMount = mounts(prometheus).find(([, target]) => target === '/etc/prometheus/prometheus.yml')!;
  const promConfigFile = path.join(REPO_ROOT, promConfigMount[0]);
  const promConfig = parse(fs.readFileSync(promConfigFile, 'utf8'));
  const workdir = /^WORKDIR (\S+)$/m.exec(fs.readFileSync(path.join(REPO_ROOT, 'Dockerfile'), 'utf8'))![1];
  const alertsMount = mounts(headroom).find(([, target]) => target === path.posix.join(workdir, env.HEADROOM_ALERTS_DIR))!;
  const alertsDir = path.join(REPO_ROOT, alertsMount[0]);

  it('runs the official Prometheus image with the demo\'s prometheus.yml, which promtool accepts', () => {
    expect(prometheus.image).toMatch(/^prom\/prometheus:v\d+\.\d+\.\d+$/);
    const check = spawnSync('/usr/bin/promtool', ['check', 'config', promConfigFile], { encoding: 'utf8' });
    expect({ status: check.status, output: `${check.stdout}${check.stderr}` }).toMatchObject({ status: 0, output: expect.stringContaining('SUCCESS') });
  });

  it('has Prometheus scrape the simulated services on the port the simulator serves them on', () => {
    expect(config.simulator.enabled).toBe(true);
    expect(config.simulator.export.metricsPort).toBe(9464);
    const job = promConfig.scrape_configs.find((j: { job_name: string }) => j.job_name === 'simulated-services');
    expect(job.static_configs[0].targets).toEqual([`headroom:${config.simulator.export.metricsPort}`]);
    expect(headroom.expose).toContain(String(config.simulator.export.metricsPort));
  });

  it('pushes OTLP to Headroom\'s own receiver with a key Headroom registers as an otlp key', () => {
    const otlp = config.simulator.export.otlp!;
    expect(new URL(otlp.url).pathname).toBe('/v1/metrics');
    expect(Number(new URL(otlp.url).port)).toBe(config.port);
    expect(config.integrationKeys).toContainEqual({ kind: 'otlp', name: 'simulator', key: otlp.key });
  });

  it('mounts the demo\'s alerts where HEADROOM_ALERTS_DIR points, and they validate', async () => {
    expect(alertsMount[2]).toBe('ro');
    const result = await runHeadroomCli(['validate'], { HEADROOM_ALERTS_DIR: alertsDir, HEADROOM_RUNBOOKS_DIR: path.join(REPO_ROOT, 'runbooks') });
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(/^ok: 8 SLOs/);
  });

  it('reads Prometheus (availability and latency) and OTLP, from the compose Prometheus', () => {
    const files = fs.readdirSync(alertsDir).filter((f) => f.endsWith('.yaml')).map((f) => parse(fs.readFileSync(path.join(alertsDir, f), 'utf8')));
    const slis = files.flatMap((f) => (f.slos ?? []).map((s: { sli: { kind: string; source: string } }) => `${s.sli.source}/${s.sli.kind}`));
    expect(new Set(slis)).toEqual(new Set(['prometheus/events', 'prometheus/latency', 'otlp/events', 'otlp/latency']));
    const [server] = files.flatMap((f) => f.prometheus ?? []);
    const url = new URL(server.url);
    expect(url.hostname).toBe('prometheus');
    // The official image listens on 9090 (published as such).
    expect(url.port).toBe('9090');
    expect(prometheus.ports).toContain('9090:9090');
    // Every Prometheus SLI reads the job the demo's Prometheus scrapes.
    const text = files.map((f) => JSON.stringify(f.slos ?? [])).join('');
    const jobs = [...text.matchAll(/job=\\"([^"\\]+)\\"/g)].map((m) => m[1]);
    expect(jobs.length).toBeGreaterThanOrEqual(4);
    expect(new Set(jobs)).toEqual(new Set(['simulated-services']));
  });
});
