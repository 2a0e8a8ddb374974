import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../server/src/database/data-source-options';
import { startEmbeddedPostgres } from '../../server/src/database/embedded-postgres';

/**
 * Creates one migrated embedded database and keeps it as a template folder: creating a PGlite
 * database costs seconds, copying a folder costs milliseconds. Each suite opens its own copy.
 */
export default async function globalSetup(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'headroom-template-'));
  const pg = await startEmbeddedPostgres(dir);
  const ds = new DataSource(dataSourceOptions(pg.url, true));
  await ds.initialize();
  await ds.runMigrations();
  await ds.destroy();
  await pg.stop();
  process.env.HEADROOM_TEST_TEMPLATE = dir;
}
