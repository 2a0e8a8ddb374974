import 'reflect-metadata';
import type { IncomingMessage } from 'node:http';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { AppModule } from './app.module';
import { AuthService } from './auth/auth.service';
import { UsersService } from './auth/users.service';
import { IntegrationKeysService } from './auth/integration-keys.service';
import type { Clock } from './common/clock';
import { isJsonType, JSON_BODY_LIMIT_BYTES } from './common/json-body';
import { createLogger, PinoNestLogger, type Logger } from './common/logger';
import { requestLog } from './common/request-log';
import { securityHeaders } from './common/security-headers';
import { loadConfig, type AppConfig } from './config/config';
import { dataSourceOptions } from './database/data-source-options';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './database/embedded-postgres';
import { SlackInteractions } from './notify/slack/slack-interactions';
import { loadRules } from './rules/rules-loader';
import { RulesError } from './rules/yaml-source';
import { loadOncall, routePolicyProblems } from './oncall/oncall-loader';
import { loadRoutes } from './rules/routes-loader';
import { loadRunbooks } from './rules/runbook-index';
import { isOtlpExport, otlpBodyReader } from './sources/otlp/otlp-body';
import { initTelemetry } from './telemetry-sdk';

/** A failure at start, with the exit code that tells scripts which kind it was. */
export class StartupError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
    this.name = 'StartupError';
  }
}

export const EXIT = { config: 2, rules: 3, database: 4 } as const;

export interface Database {
  url: string;
  embedded: boolean;
  stop(): Promise<void>;
}

/** Opens the configured database: a real server from DATABASE_URL, or embedded PGlite. */
export async function openDatabase(config: AppConfig): Promise<Database> {
  if (config.databaseUrl) {
    const client = new Client({ connectionString: config.databaseUrl, connectionTimeoutMillis: 10_000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
    } catch (err) {
      const where = safeUrl(config.databaseUrl);
      throw new StartupError(`Cannot connect to the database in DATABASE_URL (${where}): ${(err as Error).message}`, EXIT.database);
    } finally {
      await client.end().catch(() => undefined);
    }
    return { url: config.databaseUrl, embedded: false, stop: async () => undefined };
  }
  let embedded: EmbeddedPostgres;
  try {
    embedded = await startEmbeddedPostgres(config.dataDir);
  } catch (err) {
    throw new StartupError(`Cannot open the embedded database in ${config.dataDir}: ${(err as Error).message}`, EXIT.database);
  }
  return { url: embedded.url, embedded: true, stop: () => embedded.stop() };
}

/** Runs pending migrations with a short-lived connection (also used by `headroom migrate`). */
export async function migrate(db: Database, direction: 'up' | 'down' = 'up'): Promise<string[]> {
  const ds = new DataSource(dataSourceOptions(db.url, db.embedded));
  await ds.initialize();
  try {
    if (direction === 'down') {
      const before = await ds.query(`SELECT name FROM migrations ORDER BY id DESC LIMIT 1`).catch(() => []);
      await ds.undoLastMigration({ transaction: 'each' });
      return before.map((r: { name: string }) => r.name);
    }
    return (await ds.runMigrations({ transaction: 'each' })).map((m) => m.name);
  } finally {
    await ds.destroy();
  }
}

function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || 5432}${u.pathname}`;
  } catch {
    return 'unparseable URL';
  }
}

export interface RunningHeadroom {
  app: NestExpressApplication;
  config: AppConfig;
  url: string;
  logger: Logger;
  /** Set only when an admin token was generated at this start (first start without one). */
  generatedAdminToken?: string;
  stop(): Promise<void>;
}

export interface StartOptions {
  env: NodeJS.ProcessEnv;
  /** The folder relative paths (alerts/, runbooks/, .headroom/) are resolved against. */
  root: string;
  clock?: Clock;
}

export async function startHeadroom(opts: StartOptions): Promise<RunningHeadroom> {
  let config: AppConfig;
  try {
    config = loadConfig(opts.env, opts.root);
  } catch (err) {
    throw new StartupError((err as Error).message, EXIT.config);
  }
  const logger = createLogger(config.log.level, config.log.pretty);
  const telemetry = initTelemetry(config);
  // Rules are checked before anything starts, so a typo fails fast with file:line.
  try {
    const runbooks = loadRunbooks(config.runbooksDir);
    loadRules(config.alertsDir, (file) => runbooks.has(file.replace(/\.md$/, '')));
    const routes = loadRoutes(config.alertsDir, (file) => runbooks.has(file.replace(/\.md$/, '')));
    const routeProblems = routePolicyProblems(routes, loadOncall(config.alertsDir).policies);
    if (routeProblems.length > 0) throw new RulesError(routeProblems);
  } catch (err) {
    throw new StartupError(`Invalid alert rules:\n${(err as Error).message}`, EXIT.rules);
  }
  const db = await openDatabase(config);
  try {
    const applied = await migrate(db);
    if (applied.length) logger.info({ migrations: applied }, 'migrations applied');
    const app = await NestFactory.create<NestExpressApplication>(
      AppModule.forRoot({ config, databaseUrl: db.url, embedded: db.embedded, logger, clock: opts.clock }),
      { rawBody: true, logger: new PinoNestLogger(logger), abortOnError: false },
    );
    app.disable('x-powered-by');
    app.use(securityHeaders(config.publicUrl));
    app.use(requestLog(logger));
    // Bolt's receiver reads the raw body and checks Slack's signature itself; it must be
    // mounted before Nest's body parsers (which app.init() installs).
    const slack = app.get(SlackInteractions);
    if (slack.guard && slack.router) app.use(slack.guard, slack.router);
    // OTLP pushes (protobuf or JSON, maybe gzip, up to their own limit) are read raw for the OTLP
    // source to decode, and only once the key is checked; the JSON parser leaves them alone.
    app.use('/v1/metrics', otlpBodyReader(config.otlp.maxBodyBytes, config.otlp.maxBodiesInFlight));
    app.useBodyParser('json', { limit: JSON_BODY_LIMIT_BYTES, type: (req: IncomingMessage) => !isOtlpExport(req) && isJsonType(req) });
    const generatedAdminToken = await app.get(AuthService).ensureAdminToken();
    await app.get(UsersService).ensureFirstAdmin();
    for (const k of config.integrationKeys) await app.get(IntegrationKeysService).provision(k.name, k.kind, k.key);
    await app.listen(config.port, config.host);
    const address = app.getHttpServer().address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    const url = `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${port}`;
    let stopped = false;
    return {
      app,
      config,
      url,
      logger,
      generatedAdminToken,
      async stop() {
        if (stopped) return;
        stopped = true;
        await app.close();
        await db.stop();
        await telemetry.shutdown();
      },
    };
  } catch (err) {
    await db.stop().catch(() => undefined);
    throw err;
  }
}
