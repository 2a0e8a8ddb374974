import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { loadConfig } from '../../server/src/config/config';
import { REPO_ROOT } from '../support/headroom-process';

/** docker compose cannot run here; these checks keep the files true to the code. */
describe('docker-compose.yml and Dockerfile', () => {
  const compose = parse(fs.readFileSync(path.join(REPO_ROOT, 'docker-compose.yml'), 'utf8'));
  const dockerfile = fs.readFileSync(path.join(REPO_ROOT, 'Dockerfile'), 'utf8');

  it('runs PostgreSQL and Headroom built from the repository, wired by DATABASE_URL', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['headroom', 'postgres']);
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
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(compose.services.headroom.environment as Record<string, string>)) {
      // Resolve ${VAR:-default} and ${VAR:?msg} the way compose does with an empty .env.
      env[k] = String(v).replace(/\$\{(\w+):([-?])([^}]*)\}/g, (_m, _name, op, rest) => (op === '-' ? rest : 'a-token-of-sixteen-chars'));
    }
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
