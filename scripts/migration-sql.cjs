#!/usr/bin/env node
// Prints the SQL that would bring a freshly migrated database in line with the entities:
// the starting point of a new migration (review it, name constraints, then write the file
// under migrations/ and list it in migrations/index.ts). Needs a built server.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { DataSource } = require('typeorm');
const dist = path.join(__dirname, '../server/dist/server/src');
const { startEmbeddedPostgres } = require(path.join(dist, 'database/embedded-postgres.js'));
const { dataSourceOptions } = require(path.join(dist, 'database/data-source-options.js'));

(async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'headroom-migration-sql-'));
  const pg = await startEmbeddedPostgres(dir);
  const ds = new DataSource(dataSourceOptions(pg.url, true));
  await ds.initialize();
  await ds.runMigrations();
  const log = await ds.driver.createSchemaBuilder().log();
  for (const q of log.upQueries) console.log(`UP   ${q.query}`);
  for (const q of [...log.downQueries].reverse()) console.log(`DOWN ${q.query}`);
  if (log.upQueries.length === 0) console.log('-- the migrations match the entities');
  await ds.destroy();
  await pg.stop();
  fs.rmSync(dir, { recursive: true, force: true });
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
