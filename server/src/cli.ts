import * as path from 'node:path';
import { EXIT, StartupError, migrate, openDatabase, startHeadroom } from './bootstrap';
import { ConfigError, loadConfig } from './config/config';
import { loadRules } from './rules/rules-loader';
import { loadRunbooks } from './runbooks/runbook-index';

const USAGE = `Usage: headroom <command>

  start              run Headroom (embedded database unless DATABASE_URL is set)
  migrate [up|down]  apply pending migrations, or undo the last one
  validate           check alerts/*.yaml and their runbook links
  token create --name NAME --role viewer|responder|admin
                     create an API token (printed once)
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
        process.stdout.write(`ok: ${rules.slos.length} SLOs in ${path.relative(process.cwd(), config.alertsDir) || '.'}, ${runbooks.size} runbooks\n`);
        return 0;
      }
      case 'token':
        return await token(rest, env, root);
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
      running.stop().finally(resolve);
    };
    process.once('SIGTERM', () => shutdown('SIGTERM'));
    process.once('SIGINT', () => shutdown('SIGINT'));
  });
  return 0;
}

async function token(args: string[], env: NodeJS.ProcessEnv, root: string): Promise<number> {
  const flag = (name: string) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const name = flag('name');
  const role = flag('role') ?? 'viewer';
  if (args[0] !== 'create' || !name || !['viewer', 'responder', 'admin'].includes(role)) {
    process.stderr.write(USAGE);
    return 64;
  }
  const config = loadConfig(env, root);
  const db = await openDatabase(config);
  try {
    await migrate(db);
    const { DataSource } = await import('typeorm');
    const { dataSourceOptions } = await import('./database/data-source-options');
    const { AuthService } = await import('./auth/auth.service');
    const ds = new DataSource(dataSourceOptions(db.url, db.embedded));
    await ds.initialize();
    try {
      const auth = new AuthService(ds, config, { warn: () => undefined } as never);
      const created = await auth.createToken(name, role as 'viewer');
      process.stdout.write(`${created.token}\n`);
    } finally {
      await ds.destroy();
    }
  } finally {
    await db.stop();
  }
  return 0;
}
