import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../server/src/database/data-source-options';
import { startEmbeddedPostgres } from '../../server/src/database/embedded-postgres';

export type DatabaseKind = 'pglite' | 'postgres';

export interface TestDatabase {
  kind: DatabaseKind;
  url: string;
  embedded: boolean;
  dataSource: DataSource;
  close(): Promise<void>;
}

/** Every database suite runs on the embedded default, and on real PostgreSQL when DATABASE_URL is set. */
export function databaseKinds(): DatabaseKind[] {
  return process.env.DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];
}

/** Opens a fresh, migrated database of that kind, private to the calling suite. */
export async function openTestDatabase(kind: DatabaseKind, opts: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const migrate = opts.migrate ?? true;
  if (kind === 'pglite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'headroom-db-'));
    const template = process.env.HEADROOM_TEST_TEMPLATE;
    if (migrate && template) fs.cpSync(template, dir, { recursive: true });
    const pg = await startEmbeddedPostgres(dir);
    const dataSource = new DataSource(dataSourceOptions(pg.url, true));
    await dataSource.initialize();
    if (migrate) await dataSource.runMigrations();
    return {
      kind,
      url: pg.url,
      embedded: true,
      dataSource,
      async close() {
        await dataSource.destroy();
        await pg.stop();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const base = process.env.DATABASE_URL;
  if (!base) throw new Error('DATABASE_URL is not set');
  const name = `headroom_test_${randomBytes(5).toString('hex')}`;
  const admin = new Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  const dataSource = new DataSource(dataSourceOptions(url.toString(), false));
  await dataSource.initialize();
  if (migrate) await dataSource.runMigrations();
  return {
    kind,
    url: url.toString(),
    embedded: false,
    dataSource,
    async close() {
      await dataSource.destroy();
      const c = new Client({ connectionString: base });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}
