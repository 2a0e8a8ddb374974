import { databaseKinds, openTestDatabase } from '../support/database';

describe.each(databaseKinds())('migrations on %s', (kind) => {
  it('go up, match the entities exactly, go down to nothing and up again', async () => {
    const db = await openTestDatabase(kind, { migrate: false });
    try {
      const ds = db.dataSource;
      expect((await ds.runMigrations()).length).toBeGreaterThan(0);
      // The schema the migrations build is the schema the entities describe: nothing to sync.
      const pending = await ds.driver.createSchemaBuilder().log();
      expect(pending.upQueries.map((q) => q.query)).toEqual([]);
      const tables = async () =>
        (await ds.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'migrations' ORDER BY 1`)).map(
          (r: { table_name: string }) => r.table_name,
        );
      expect(await tables()).toContain('incidents');
      while ((await ds.query(`SELECT count(*)::int AS n FROM migrations`))[0].n > 0) await ds.undoLastMigration();
      expect(await tables()).toEqual([]);
      await ds.runMigrations();
      expect(await tables()).toEqual(expect.arrayContaining(['incidents', 'outbox', 'incident_timeline', 'sli_counter_minute']));
      expect(await ds.showMigrations()).toBe(false);
    } finally {
      await db.close();
    }
  });
});
