import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditService, type AuditActor } from '../audit/audit.service';
import { CLOCK, type Clock } from '../common/clock';
import { ConflictError, NotFoundError, ValidationError } from '../common/errors';
import { LOGGER, type Logger } from '../common/logger';
import type { ListQuery } from '../common/pagination';
import { EXPERIMENT_STATUSES, toExperimentDefinition, type ExperimentDefinition, type ExperimentSpec } from '../rules/experiment-definition';
import { ExperimentObservation } from './experiment-observation.entity';
import type { ExperimentSnapshot } from './experiment-snapshot';
import { Experiment } from './experiment.entity';
import { ChangesService } from '../changes/changes.service';
import { experimentChange, type ExperimentState } from './experiment-changes';

/** Who changes a YAML-declared experiment: the alerts/ files. */
const ALERTS_ACTOR: AuditActor = { type: 'system', id: null, name: 'alerts/' };

export const EXPERIMENT_SORTABLE = ['id', 'service', 'status', 'startedAt', 'evaluatedAt', 'createdAt'] as const;

/** What the API shows for an experiment: its definition, status and latest results. */
export interface ExperimentView {
  id: string;
  service: string;
  status: Experiment['status'];
  origin: Experiment['origin'];
  file: string | null;
  startedAt: Date;
  spec: ExperimentSpec;
  results: Experiment['results'];
  evaluatedAt: Date | null;
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
}

const view = (e: Experiment): ExperimentView => ({
  id: e.id, service: e.service, status: e.status, origin: e.origin, file: e.file, startedAt: e.startedAt, spec: e.spec,
  results: e.results, evaluatedAt: e.evaluatedAt, createdBy: e.createdBy, createdAt: e.createdAt, updatedAt: e.updatedAt,
});

/** The engine's definition of a stored experiment; the stored status wins over the declared one. */
export function definitionOf(e: Experiment): ExperimentDefinition {
  return { ...toExperimentDefinition(e.spec, e.file), status: e.status };
}

/**
 * Experiments: YAML ones synced from the rules, API ones created here, and the latest snapshot
 * of each for the evaluator.
 */
@Injectable()
export class ExperimentsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly changes: ChangesService,
  ) {}

  /**
   * Brings the YAML-declared experiments into the table. The declared status applies, except
   * that a rolled-back experiment stays rolled back until someone changes it on purpose. An
   * experiment no longer declared is stopped; one whose name an API experiment already has is
   * skipped with a warning.
   */
  async syncDeclared(defs: Array<{ spec: ExperimentSpec; file: string }>): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      const existing = new Map((await m.find(Experiment)).map((e) => [e.id, e]));
      for (const { spec, file } of defs) {
        const found = existing.get(spec.name);
        if (found?.origin === 'api') {
          this.logger.warn({ experiment: spec.name, file }, `experiment ${spec.name} in ${file} is ignored: an experiment of that name was created through the API`);
          continue;
        }
        const status = found?.status === 'rolled_back' ? found.status : spec.status;
        await this.recordChange(m, found ? { status: found.status, spec: found.spec } : null, { status, spec }, ALERTS_ACTOR);
        await m.query(
          `INSERT INTO experiments (id, service, status, origin, spec, file, started_at, created_by)
           VALUES ($1, $2, $3, 'yaml', $4, $5, $6, 'alerts')
           ON CONFLICT (id) DO UPDATE SET service = EXCLUDED.service, spec = EXCLUDED.spec, file = EXCLUDED.file, started_at = EXCLUDED.started_at,
             status = CASE WHEN experiments.status = 'rolled_back' THEN experiments.status ELSE EXCLUDED.status END, updated_at = now()
           WHERE experiments.origin = 'yaml' AND (experiments.spec IS DISTINCT FROM EXCLUDED.spec OR experiments.file IS DISTINCT FROM EXCLUDED.file
             OR (experiments.status <> EXCLUDED.status AND experiments.status <> 'rolled_back'))`,
          [spec.name, spec.service, spec.status, JSON.stringify(spec), file, new Date(spec.start).toISOString()],
        );
      }
      const declared = new Set(defs.map((d) => d.spec.name));
      const gone = [...existing.values()].filter((e) => e.origin === 'yaml' && e.status === 'running' && !declared.has(e.id)).map((e) => e.id);
      if (gone.length > 0) await m.query(`UPDATE experiments SET status = 'stopped', updated_at = now() WHERE id = ANY($1)`, [gone]);
      for (const id of gone) {
        const e = existing.get(id)!;
        await this.recordChange(m, { status: e.status, spec: e.spec }, { status: 'stopped', spec: e.spec }, ALERTS_ACTOR, 'no longer declared in alerts/');
      }
    });
  }

  /**
   * A rollback hook for this experiment succeeded: it is rolled back, in the caller's
   * transaction, with an audit entry. It stays rolled back across reloads of alerts/.
   * Returns false when it already was (or does not exist).
   */
  async markRolledBack(m: EntityManager, id: string, actor: AuditActor, reason: string): Promise<boolean> {
    const [row]: Array<{ status: string; spec: ExperimentSpec }> = await m.query(`SELECT status, spec FROM experiments WHERE id = $1 FOR UPDATE`, [id]);
    if (!row || row.status === 'rolled_back') return false;
    await m.query(`UPDATE experiments SET status = 'rolled_back', updated_at = now() WHERE id = $1`, [id]);
    await this.recordChange(m, row, { status: 'rolled_back', spec: row.spec }, actor, reason);
    await this.audit.record(m, { at: this.clock.now(), actor, action: 'experiment.rolled-back', entityType: 'experiment', entityId: id, before: { status: row.status }, after: { status: 'rolled_back', reason } });
    return true;
  }

  /** An experiment that started, ramped, stopped or rolled back is a change of its service (docs/changes.md). */
  private async recordChange(m: EntityManager, before: ExperimentState | null, after: ExperimentState, actor: AuditActor, reason?: string): Promise<void> {
    const draft = experimentChange(before, after, this.clock.now(), reason);
    if (draft) await this.changes.recordIn(m, draft, actor);
  }

  async create(spec: ExperimentSpec, actor: AuditActor): Promise<ExperimentView> {
    const saved = await this.dataSource.transaction(async (m) => {
      const inserted: Array<{ id: string }> = await m.query(
        `INSERT INTO experiments (id, service, status, origin, spec, file, started_at, created_by)
         VALUES ($1, $2, $3, 'api', $4, NULL, $5, $6) ON CONFLICT (id) DO NOTHING RETURNING id`,
        [spec.name, spec.service, spec.status, JSON.stringify(spec), new Date(spec.start).toISOString(), actor.name],
      );
      if (inserted.length === 0) throw new ConflictError(`name: an experiment named ${spec.name} already exists`);
      const row = await m.findOneByOrFail(Experiment, { id: spec.name });
      await this.recordChange(m, null, { status: spec.status, spec }, actor);
      await this.audit.record(m, { at: this.clock.now(), actor, action: 'experiment.created', entityType: 'experiment', entityId: row.id, before: null, after: { ...spec } });
      return row;
    });
    return view(saved);
  }

  /** Stops an API-declared experiment (a YAML one is stopped in its file); returns its definition as it was. */
  async stop(id: string, actor: AuditActor): Promise<{ view: ExperimentView; definition: ExperimentDefinition }> {
    return this.changeApiExperiment(id, actor, 'experiment.stopped', (row) => {
      if (row.status !== 'running') throw new ConflictError(`experiment ${id} is ${row.status}, not running`);
      return { spec: row.spec, status: 'stopped' };
    });
  }

  /** Replaces an API-declared experiment's definition (the same schema as creating it; the name cannot change). */
  async update(id: string, spec: ExperimentSpec, actor: AuditActor): Promise<{ view: ExperimentView; definition: ExperimentDefinition }> {
    if (spec.name !== id) throw new ValidationError([{ field: 'name', message: `must stay ${id}: an experiment cannot be renamed (create a new one)` }]);
    return this.changeApiExperiment(id, actor, 'experiment.updated', (row) => ({ spec, status: row.status === 'rolled_back' && spec.status === 'running' ? 'rolled_back' : spec.status }));
  }

  /** Deletes an API-declared experiment and its observations; the audit log keeps its definition. */
  async remove(id: string, actor: AuditActor): Promise<{ view: ExperimentView; definition: ExperimentDefinition }> {
    return this.dataSource.transaction(async (m) => {
      const row = await this.apiRow(m, id);
      if (row.status === 'running') await this.recordChange(m, { status: row.status, spec: row.spec }, { status: 'stopped', spec: row.spec }, actor, 'deleted');
      await m.delete(Experiment, { id });
      await this.audit.record(m, { at: this.clock.now(), actor, action: 'experiment.deleted', entityType: 'experiment', entityId: id, before: { status: row.status, spec: row.spec }, after: null });
      return { view: view(row), definition: definitionOf(row) };
    });
  }

  private async changeApiExperiment(
    id: string,
    actor: AuditActor,
    action: string,
    next: (row: Experiment) => { spec: ExperimentSpec; status: Experiment['status'] },
  ): Promise<{ view: ExperimentView; definition: ExperimentDefinition }> {
    return this.dataSource.transaction(async (m) => {
      const row = await this.apiRow(m, id);
      const before = { status: row.status, spec: row.spec };
      const after = next(row);
      await m.update(Experiment, { id }, { spec: after.spec, status: after.status, service: after.spec.service, startedAt: new Date(after.spec.start), updatedAt: this.clock.now() });
      await this.recordChange(m, before, after, actor);
      await this.audit.record(m, { at: this.clock.now(), actor, action, entityType: 'experiment', entityId: id, before, after });
      return { view: view(await m.findOneByOrFail(Experiment, { id })), definition: definitionOf(row) };
    });
  }

  /** The experiment, locked, when the API may change it: 404 when unknown, 409 when alerts/ declares it. */
  private async apiRow(m: EntityManager, id: string): Promise<Experiment> {
    const row = await m.findOne(Experiment, { where: { id }, lock: { mode: 'pessimistic_write' } });
    if (!row) throw new NotFoundError('experiment', id);
    if (row.origin !== 'api') throw new ConflictError(`experiment ${id} is declared in ${row.file ?? 'alerts/'}: change it there (a reload would undo a change made here)`);
    return row;
  }

  async get(id: string): Promise<ExperimentView> {
    return view(await this.row(id));
  }

  async row(id: string, m: EntityManager = this.dataSource.manager): Promise<Experiment> {
    const found = await m.findOneBy(Experiment, { id });
    if (!found) throw new NotFoundError('experiment', id);
    return found;
  }

  async list(q: ListQuery): Promise<{ items: ExperimentView[]; total: number }> {
    const f = q.filter;
    const qb = this.dataSource.getRepository(Experiment).createQueryBuilder('e');
    const values = (key: string): string[] | undefined => (f[key] === undefined ? undefined : [f[key]].flat().map(String));
    const status = values('status');
    if (status) {
      const bad = status.filter((s) => !(EXPERIMENT_STATUSES as readonly string[]).includes(s));
      if (bad.length) throw new ValidationError([{ field: 'filter.status', message: `must be one of ${EXPERIMENT_STATUSES.join(', ')} (got ${bad.join(', ')})` }]);
    }
    for (const [key, column] of [['id', 'e.id'], ['service', 'e.service'], ['status', 'e.status'], ['origin', 'e.origin']] as const) {
      const v = values(key);
      if (v) qb.andWhere(`${column} IN (:...${key})`, { [key]: v });
    }
    if (typeof f.q === 'string' && f.q.trim()) qb.andWhere('e.id ILIKE :q', { q: `%${f.q.trim().replace(/[%_\\]/g, '\\$&')}%` });
    qb.orderBy(`e.${q.sort.field}`, q.sort.order);
    if (q.sort.field !== 'id') qb.addOrderBy('e.id', 'ASC');
    const [items, total] = await qb.skip(q.offset).take(q.limit).getManyAndCount();
    return { items: items.map(view), total };
  }

  /** Running experiments' ids, for the scheduled pass. */
  async runningIds(): Promise<string[]> {
    const rows: Array<{ id: string }> = await this.dataSource.query(`SELECT id FROM experiments WHERE status = 'running' ORDER BY id`);
    return rows.map((r) => r.id);
  }

  /** The latest stored snapshot of each experiment (snapshots are cumulative, so it is all the evaluation needs). */
  async latestSnapshots(ids: string[]): Promise<Map<string, ExperimentSnapshot>> {
    if (ids.length === 0) return new Map();
    const rows: Array<{ experiment_id: string; at: Date; variants: ExperimentSnapshot['variants'] }> = await this.dataSource.query(
      `SELECT DISTINCT ON (experiment_id) experiment_id, at, variants FROM experiment_observations
       WHERE experiment_id = ANY($1) ORDER BY experiment_id, at DESC`,
      [ids],
    );
    return new Map(rows.map((r) => [r.experiment_id, { at: new Date(r.at), variants: r.variants }]));
  }

  /**
   * Stores a snapshot, idempotent by (experiment, snapshot time) and never older than the
   * latest stored one, in one transaction. Returns false when the same snapshot was already
   * stored; a different one at that time, or an older time, is a ConflictError.
   */
  async storeSnapshot(id: string, snapshot: ExperimentSnapshot): Promise<boolean> {
    const at = snapshot.at.toISOString();
    const variants = JSON.stringify(snapshot.variants);
    return this.dataSource.transaction(async (m) => {
      // One snapshot at a time per experiment, so "not older than the latest" holds under races.
      await m.query(`SELECT id FROM experiments WHERE id = $1 FOR UPDATE`, [id]);
      const [same] = await m.query(`SELECT variants = $3::jsonb AS equal FROM experiment_observations WHERE experiment_id = $1 AND at = $2`, [id, at, variants]);
      if (same) {
        if (same.equal) return false;
        throw new ConflictError(`at: a different snapshot is already stored for ${at}; snapshots are immutable, send a new time`);
      }
      const [{ latest }] = await m.query(`SELECT max(at) AS latest FROM experiment_observations WHERE experiment_id = $1`, [id]);
      if (latest && new Date(latest).getTime() > snapshot.at.getTime()) {
        throw new ConflictError(`at: ${at} is older than the latest stored snapshot (${new Date(latest).toISOString()}); send snapshots in time order`);
      }
      const inserted = await m.query(
        `INSERT INTO experiment_observations (experiment_id, at, variants) VALUES ($1, $2, $3::jsonb)
         ON CONFLICT (experiment_id, at) DO NOTHING RETURNING id`,
        [id, at, variants],
      );
      return inserted.length > 0;
    });
  }

  async observations(id: string, q: ListQuery): Promise<{ items: ExperimentObservation[]; total: number }> {
    await this.row(id);
    const [items, total] = await this.dataSource.getRepository(ExperimentObservation).findAndCount({
      where: { experimentId: id }, order: { at: q.sort.order }, skip: q.offset, take: q.limit,
    });
    return { items, total };
  }
}
