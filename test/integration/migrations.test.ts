import { DataSource } from 'typeorm';
import { MIGRATIONS } from '../../migrations';
import { OneMutingModel1765900000000 } from '../../migrations/1765900000000-one-muting-model';
import { AuditService } from '../../server/src/audit/audit.service';
import { ManualClock } from '../../server/src/common/clock';
import { dataSourceOptions } from '../../server/src/database/data-source-options';
import { loadActiveMutes, muteReason } from '../../server/src/incidents/mute';
import { SilencesService } from '../../server/src/incidents/silences.service';
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

describe.each(databaseKinds())('one muting model (migration OneMutingModel1765900000000) on %s', (kind) => {
  const now = new Date('2026-11-25T03:00:00Z');
  const at = (minutes: number) => new Date(now.getTime() + minutes * 60_000).toISOString();
  const alice = { type: 'user' as const, id: 'u-alice', name: 'alice' };
  const firstPage = { sort: { field: 'id', order: 'DESC' as const }, offset: 0, limit: 25, filter: {} };
  /** What GET /api/maintenance-windows/:id answered before the migration: the row, then its status. */
  const oldAnswer = (id: number, service: string, startsAt: string, endsAt: string, createdBy: string, comment: string, createdAt: string, expiredAt: string | null, status: string) => ({
    id, service, startsAt, endsAt, createdBy, comment, createdAt, expiredAt, status,
  });
  const asJson = (v: unknown) => JSON.parse(JSON.stringify(v)) as unknown;

  it('serves the maintenance windows made before it as before, beside the silences with the same ids, and goes back', async () => {
    const db = await openTestDatabase(kind, { migrate: false });
    try {
      // The schema just before: windows and silences in their own tables, both counting ids from 1.
      const index = MIGRATIONS.indexOf(OneMutingModel1765900000000);
      const before = new DataSource({ ...dataSourceOptions(db.url, db.embedded), migrations: MIGRATIONS.slice(0, index) });
      await before.initialize();
      try {
        await before.runMigrations();
        const window = `INSERT INTO maintenance_windows (service, starts_at, ends_at, created_by, comment, created_at, expired_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`;
        await before.query(window, ['feature-store', at(-30), at(90), 'alice', 'reindex', at(-31), null]);
        await before.query(window, ['model-serving', at(-120), at(-60), 'bob', 'node pool upgrade', at(-121), at(-60)]);
        await before.query(window, ['ranker', at(60), at(120), 'carol', 'migrate the index', at(-5), null]);
        const silence = `INSERT INTO silences (matchers, starts_at, ends_at, created_by, comment, created_at) VALUES ($1, $2, $3, $4, $5, $6)`;
        await before.query(silence, [JSON.stringify([{ name: 'alertname', value: 'RankerHighErrorRate', isRegex: false, isEqual: true }]), at(-10), at(50), 'dave', 'known noisy', at(-10)]);
        await before.query(silence, [JSON.stringify([{ name: 'instance', value: 'canary-.*', isRegex: true, isEqual: true }]), at(-200), at(-100), 'erin', 'canary', at(-200)]);
        await before.query(`INSERT INTO audit_log (at, actor_type, actor_id, actor_name, action, entity_type, entity_id, before, after) VALUES ($1, 'user', 'u-alice', 'alice', 'maintenance-window.created', 'maintenance-window', '1', NULL, '{}')`, [at(-31)]);
      } finally {
        await before.destroy();
      }

      // This one and every later migration run now.
      expect((await db.dataSource.runMigrations()).map((m) => m.name)).toEqual(MIGRATIONS.slice(index).map((m) => m.name));
      const audit = new AuditService(db.dataSource);
      const service = new SilencesService(db.dataSource, audit, new ManualClock(now));

      const feature = oldAnswer(1, 'feature-store', at(-30), at(90), 'alice', 'reindex', at(-31), null, 'active');
      const modelServing = oldAnswer(2, 'model-serving', at(-120), at(-60), 'bob', 'node pool upgrade', at(-121), at(-60), 'expired');
      const ranker = oldAnswer(3, 'ranker', at(60), at(120), 'carol', 'migrate the index', at(-5), null, 'pending');
      expect(asJson(await service.get('maintenance', 1))).toEqual(feature);
      expect(Object.keys(await service.get('maintenance', 1))).toEqual(Object.keys(feature));
      const windows = await service.list('maintenance', firstPage);
      expect({ items: asJson(windows.items), total: windows.total }).toEqual({ items: [ranker, modelServing, feature], total: 3 });
      expect(asJson((await service.list('maintenance', { ...firstPage, filter: { service: 'ranker', status: 'pending' } })).items)).toEqual([ranker]);
      // Silence 1 and maintenance window 1 are two entries, each at its own path.
      expect(await service.get('silence', 1)).toMatchObject({ id: 1, comment: 'known noisy', status: 'active' });
      expect((await service.list('silence', firstPage)).items.map((s) => [s.id, s.createdBy])).toEqual([[2, 'erin'], [1, 'dave']]);
      await expect(service.get('maintenance', 4)).rejects.toMatchObject({ status: 404, message: 'maintenance window 4 does not exist' });

      // Mutes as before, named as before (the incidents' muted_reason texts stay true).
      const mutes = await loadActiveMutes(db.dataSource.manager, now);
      expect(muteReason({ alertname: 'Anything' }, 'feature-store', mutes)).toEqual({ kind: 'maintenance', id: 1, text: 'maintenance window #1 on feature-store (alice: reindex)' });
      expect(muteReason({ alertname: 'RankerHighErrorRate' }, 'ranker', mutes)).toMatchObject({ kind: 'silence', id: 1 });
      expect(muteReason({ alertname: 'Anything' }, 'model-serving', mutes)).toBeNull();

      // New ones of either kind take ids no entry has; an old window expires under its own id and audit entity.
      const next = await service.create('maintenance', { service: 'search', duration: '1h', comment: 'reindex search' }, alice);
      const nextSilence = await service.create('silence', { matchers: [{ name: 'service', value: 'search', isRegex: false, isEqual: true }], duration: '1h', comment: 'quiet' }, alice);
      expect([next.id, nextSilence.id]).toEqual([4, 5]);
      expect(await service.expire('maintenance', 1, alice)).toMatchObject({ id: 1, service: 'feature-store', status: 'expired' });
      expect(await db.dataSource.query(`SELECT action, entity_id FROM audit_log WHERE entity_type = 'maintenance-window' ORDER BY id`)).toEqual([
        { action: 'maintenance-window.created', entity_id: '1' },
        { action: 'maintenance-window.created', entity_id: '4' },
        { action: 'maintenance-window.expired', entity_id: '1' },
      ]);

      // Down (the later migrations first): every maintenance window, the one made since included,
      // back in its table with its id.
      for (let i = MIGRATIONS.length - 1; i >= index; i--) await db.dataSource.undoLastMigration();
      expect(await db.dataSource.query(`SELECT id, service, created_by FROM maintenance_windows ORDER BY id`)).toEqual([
        { id: 1, service: 'feature-store', created_by: 'alice' },
        { id: 2, service: 'model-serving', created_by: 'bob' },
        { id: 3, service: 'ranker', created_by: 'carol' },
        { id: 4, service: 'search', created_by: 'alice' },
      ]);
      expect((await db.dataSource.query(`SELECT id FROM silences ORDER BY id`)).map((r: { id: number }) => r.id)).toEqual([1, 2, 5]);
      const [{ id: afterDown }] = await db.dataSource.query(`INSERT INTO maintenance_windows (service, starts_at, ends_at, created_by, comment) VALUES ('x', now(), now(), 'x', 'x') RETURNING id`);
      expect(afterDown).toBe(5);
      await db.dataSource.runMigrations();
      expect((await service.list('maintenance', firstPage)).items.map((w) => w.id)).toEqual([5, 4, 3, 2, 1]);
    } finally {
      await db.close();
    }
  });
});
