import * as path from 'node:path';
import { EXIT, StartupError, migrate, openDatabase, startHeadroom } from './bootstrap';
import { ConfigError, loadConfig } from './config/config';
import { loadRules } from './rules/rules-loader';
import { loadOncall, routePolicyProblems } from './oncall/oncall-loader';
import { loadRoutes } from './rules/routes-loader';
import { RulesError } from './rules/yaml-source';
import { loadRunbooks } from './rules/runbook-index';

const USAGE = `Usage: headroom <command>

  start              run Headroom (embedded database unless DATABASE_URL is set)
  migrate [up|down]  apply pending migrations, or undo the last one
  validate           check alerts/*.yaml and their runbook links
  token create --name NAME --role viewer|responder|admin
                     create an API token (printed once)
  user create --email EMAIL [--name NAME] [--role viewer|responder|admin] [--time-zone ZONE] [--password-stdin]
                     create a console user (a generated password is printed once)
  openslo import <files or folders…> [--out FILE.yaml|FOLDER] [--runbook FILE.md] [--server NAME]
                     convert OpenSLO v1 documents into Headroom SLO files (docs/alerts.md)
  slo init --prometheus URL --job JOB [--out DIR] [--service NAME] [--server NAME]
                     write a starter SLO file from the request counter and latency
                     histogram Prometheus has for JOB (docs/alerts.md)
  backtest --slo ID --from TIME --to TIME [--step 1m] [--json]
                     replay stored history through the SLO's alert rules
                     (embedded database: stop the server first; it holds the data folder)
`;

/** The repository root: where alerts/, runbooks/ and .headroom/ live by default. */
export function repoRoot(): string {
  // compiled to server/dist/server/src/cli.js
  return path.resolve(__dirname, '../../../..');
}

export async function runCli(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const [command = 'start', ...rest] = argv;
  const root = env.HEADROOM_ROOT ?? repoRoot();
  try {
    switch (command) {
      case 'start':
        return await start(env, root);
      case 'migrate': {
        const config = loadConfig(env, root);
        const db = await openDatabase(config);
        try {
          const names = await migrate(db, rest[0] === 'down' ? 'down' : 'up');
          process.stdout.write(names.length ? `${rest[0] === 'down' ? 'reverted' : 'applied'}: ${names.join(', ')}\n` : 'nothing to do\n');
        } finally {
          await db.stop();
        }
        return 0;
      }
      case 'validate': {
        const config = loadConfig(env, root);
        const runbooks = loadRunbooks(config.runbooksDir);
        const rules = loadRules(config.alertsDir, (file) => runbooks.has(file.replace(/\.md$/, '')));
        const routes = loadRoutes(config.alertsDir, (file) => runbooks.has(file.replace(/\.md$/, '')));
        const oncall = loadOncall(config.alertsDir);
        const routeProblems = routePolicyProblems(routes, oncall.policies);
        if (routeProblems.length > 0) throw new RulesError(routeProblems);
        // Participants are checked against the users table at run time (GET /api/oncall/status), not here.
        const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
        // A dry run needs no secret; a hook that auto or approval policies fire does.
        for (const hook of rules.rollbackHooks) {
          const firing = rules.rollbackPolicies.filter((p) => p.hook === hook.name && p.mode !== 'dry-run').map((p) => p.name);
          if (hook.secretEnv && firing.length > 0 && !config.secretFromEnv(hook.secretEnv)) {
            process.stderr.write(`warning: ${hook.file}: rollback hook ${hook.name}: ${hook.secretEnv} is not set; executions of ${firing.join(', ')} will fail until it is\n`);
          }
        }
        process.stdout.write(
          `ok: ${rules.slos.length} SLOs, ${plural(rules.experiments.length, 'experiment')}, ${plural(rules.rollbackHooks.length, 'rollback hook')}, ` +
            `${plural(rules.rollbackPolicies.length, 'rollback policy').replace(/policys$/, 'policies')}, ${plural(oncall.schedules.length, 'schedule')}, ` +
            `${plural(oncall.policies.size, 'escalation policy').replace(/policys$/, 'policies')} in ${path.relative(process.cwd(), config.alertsDir) || '.'}, ${runbooks.size} runbooks\n`,
        );
        return 0;
      }
      case 'token':
        return await token(rest, env, root);
      case 'user':
        return await user(rest, env, root);
      case 'openslo': {
        const { runOpenSloCommand } = await import('./rules/openslo/openslo-command');
        return runOpenSloCommand(rest, { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) }, EXIT.rules);
      }
      case 'slo': {
        const config = loadConfig(env, root);
        const { runSloCommand } = await import('./commands/slo-init');
        return await runSloCommand(rest, { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) }, { alertsDir: config.alertsDir, runbooksDir: config.runbooksDir, exitFailed: 1 });
      }
      case 'backtest':
        return await backtestCommand(rest, env, root);
      case 'help':
      case '--help':
        process.stdout.write(USAGE);
        return 0;
      default:
        process.stderr.write(`unknown command: ${command}\n\n${USAGE}`);
        return 64;
    }
  } catch (err) {
    if (err instanceof StartupError) {
      process.stderr.write(`headroom: ${err.message}\n`);
      return err.exitCode;
    }
    if (err instanceof ConfigError) {
      process.stderr.write(`headroom: ${err.message}\n`);
      return EXIT.config;
    }
    if ((err as Error).name === 'RulesError') {
      process.stderr.write(`headroom: invalid alert rules:\n${(err as Error).message}\n`);
      return EXIT.rules;
    }
    process.stderr.write(`headroom: ${(err as Error).stack ?? String(err)}\n`);
    return 1;
  }
}

async function start(env: NodeJS.ProcessEnv, root: string): Promise<number> {
  const running = await startHeadroom({ env, root });
  if (running.generatedAdminToken) {
    process.stdout.write(`\n  Admin API token (shown once, sign in to the console with it):\n  ${running.generatedAdminToken}\n`);
  }
  process.stdout.write(`\n  Headroom console: ${running.url}/\n\n`);
  // Handle signals ourselves: close Nest, then the embedded database, then exit.
  await new Promise<void>((resolve) => {
    const shutdown = (signal: string) => {
      running.logger.info({ signal }, 'shutting down');
      // A shutdown that hangs (a stuck query, a slow socket) must not keep the process alive.
      setTimeout(() => {
        running.logger.error('shutdown did not finish in 15 s; exiting');
        process.exit(1);
      }, 15_000).unref();
      running.stop().finally(resolve);
    };
    process.once('SIGTERM', () => shutdown('SIGTERM'));
    process.once('SIGINT', () => shutdown('SIGINT'));
  });
  return 0;
}

async function token(args: string[], env: NodeJS.ProcessEnv, root: string): Promise<number> {
  const name = flagValue(args, 'name');
  const role = flagValue(args, 'role') ?? 'viewer';
  if (args[0] !== 'create' || !name || !['viewer', 'responder', 'admin'].includes(role)) {
    process.stderr.write(USAGE);
    return 64;
  }
  return withDataSource(env, root, async (ds, config) => {
    const { AuthService } = await import('./auth/auth.service');
    const { AuditService } = await import('./audit/audit.service');
    const auth = new AuthService(ds, config, { warn: () => undefined } as never, new AuditService(ds));
    const created = await auth.createToken(name, role as 'viewer');
    process.stdout.write(`${created.token}\n`);
    return 0;
  });
}

/** `user create`: a console user; the password comes from stdin (--password-stdin) or is generated and printed once. */
async function user(args: string[], env: NodeJS.ProcessEnv, root: string): Promise<number> {
  const email = flagValue(args, 'email');
  const role = flagValue(args, 'role') ?? 'viewer';
  if (args[0] !== 'create' || !email || !['viewer', 'responder', 'admin'].includes(role)) {
    process.stderr.write(USAGE);
    return 64;
  }
  const { generateToken } = await import('./auth/token-hash');
  const { PASSWORD_MIN_LENGTH } = await import('./auth/password');
  const fromStdin = args.includes('--password-stdin');
  const password = fromStdin ? (await readStdin()).replace(/\r?\n$/, '') : generateToken('pw').slice(0, 24);
  if (password.length < PASSWORD_MIN_LENGTH) {
    process.stderr.write(`headroom: the password must be at least ${PASSWORD_MIN_LENGTH} characters\n`);
    return 64;
  }
  return withDataSource(env, root, async (ds, config) => {
    const { UsersService } = await import('./auth/users.service');
    const { AuditService } = await import('./audit/audit.service');
    const { SystemClock } = await import('./common/clock');
    const users = new UsersService(ds, new AuditService(ds), config, new SystemClock(), { info: () => undefined } as never);
    const created = await users.create(
      { email, name: flagValue(args, 'name') ?? email.split('@')[0], role: role as 'viewer', timeZone: flagValue(args, 'time-zone'), password },
      { type: 'system', id: null, name: 'headroom user create' },
    );
    process.stdout.write(`user ${created.email} (${created.role}) created${fromStdin ? '' : `; password (shown once): ${password}`}\n`);
    return 0;
  });
}

function readStdin(): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = '';
    process.stdin.setEncoding('utf8');
    process.stdin.on('data', (chunk) => (data += chunk));
    process.stdin.on('end', () => resolve(data));
    process.stdin.on('error', reject);
  });
}

/** Opens the configured database (migrated) for a one-off command. */
async function withDataSource(env: NodeJS.ProcessEnv, root: string, work: (ds: import('typeorm').DataSource, config: ReturnType<typeof loadConfig>) => Promise<number>): Promise<number> {
  const config = loadConfig(env, root);
  const db = await openDatabase(config);
  try {
    await migrate(db);
    const { DataSource } = await import('typeorm');
    const { dataSourceOptions } = await import('./database/data-source-options');
    const ds = new DataSource(dataSourceOptions(db.url, db.embedded));
    await ds.initialize();
    try {
      return await work(ds, config);
    } finally {
      await ds.destroy();
    }
  } finally {
    await db.stop();
  }
}

function flagValue(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}

/** Renders a progress bar on stderr when it is a terminal, a line every 10% otherwise. */
function progressBar(label: string): (done: number, total: number) => void {
  let lastShown = -1;
  return (done, total) => {
    const share = total === 0 ? 1 : done / total;
    if (process.stderr.isTTY) {
      const width = 30;
      const filled = Math.round(share * width);
      process.stderr.write(`\r${label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${Math.round(share * 100)}% (${done}/${total})`);
      if (done === total) process.stderr.write('\n');
    } else {
      const tenth = Math.floor(share * 10);
      if (tenth !== lastShown) {
        lastShown = tenth;
        process.stderr.write(`${label} ${tenth * 10}% (${done}/${total})\n`);
      }
    }
  };
}

async function backtestCommand(args: string[], env: NodeJS.ProcessEnv, root: string): Promise<number> {
  const id = flagValue(args, 'slo');
  const from = new Date(flagValue(args, 'from') ?? '');
  const to = new Date(flagValue(args, 'to') ?? '');
  const step = flagValue(args, 'step') ?? '1m';
  if (!id || Number.isNaN(from.getTime()) || Number.isNaN(to.getTime()) || to <= from) {
    process.stderr.write(`backtest needs --slo ID, --from and --to as ISO times with --to after --from\n\n${USAGE}`);
    return 64;
  }
  const config = loadConfig(env, root);
  const { parseDuration, formatDuration } = await import('./common/duration');
  const { RulesService } = await import('./rules/rules.service');
  const rules = new RulesService(config);
  const slo = rules.slo(id);
  if (!slo) {
    process.stderr.write(`no SLO ${id}; known: ${rules.slos().map((s) => s.id).join(', ')}\n`);
    return 64;
  }
  const db = await openDatabase(config);
  try {
    await migrate(db);
    const { DataSource } = await import('typeorm');
    const { dataSourceOptions } = await import('./database/data-source-options');
    const { PostgresSliStore } = await import('./slo/postgres-sli-store');
    const { RollupSliReader } = await import('./slo/rollup-sli-reader');
    const { createSeriesResolvers } = await import('./slo/series-resolvers');
    const { loadMinuteCounts } = await import('./slo/sli-history');
    const { alertPairsFor } = await import('./slo/alert-pairs');
    const { backtest } = await import('./slo/backtest');
    const ds = new DataSource(dataSourceOptions(db.url, db.embedded));
    await ds.initialize();
    try {
      const { SystemClock } = await import('./common/clock');
      const reader = new RollupSliReader(new PostgresSliStore(ds), createSeriesResolvers(ds, new SystemClock()));
      const pairs = alertPairsFor(slo);
      const longest = Math.max(...pairs.map((p) => p.long)) * 1000;
      const minutes = await loadMinuteCounts(ds, reader, slo, new Date(from.getTime() - longest), to);
      const result = backtest({
        objective: slo.objective, pairs, minEvents: slo.alerting.minEvents, minutes,
        from: from.getTime(), to: to.getTime(), stepMs: parseDuration(step) * 1000, onProgress: progressBar(`backtest ${id}`),
      });
      if (args.includes('--json')) {
        process.stdout.write(`${JSON.stringify({ slo: id, ...result }, null, 2)}\n`);
      } else {
        const s = result.summary;
        process.stdout.write(`${id}: ${result.evaluations} evaluations from ${result.from} to ${result.to}\n`);
        process.stdout.write(`pages: ${s.pages} (${formatDuration(Math.round(s.pagedSeconds))} in all), tickets: ${s.tickets} (${formatDuration(Math.round(s.ticketedSeconds))}), breaches: ${s.breaches}, undetected: ${s.undetected}\n`);
        for (const a of result.alerts) process.stdout.write(`  ${a.severity.padEnd(6)} ${a.start} → ${a.end} (${formatDuration(Math.round(a.durationSeconds))})\n`);
        for (const b of result.breaches) {
          process.stdout.write(`  breach ${b.start} → ${b.end}: ${b.detectionSeconds === null ? 'not detected' : `detected after ${Math.round(b.detectionSeconds)} s`}\n`);
        }
      }
    } finally {
      await ds.destroy();
    }
  } finally {
    await db.stop();
  }
  return 0;
}
