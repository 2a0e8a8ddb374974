import { Inject, Injectable, NotFoundException, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditService, type AuditActor } from '../../audit/audit.service';
import { CLOCK, type Clock } from '../../common/clock';
import { formatDuration } from '../../common/duration';
import { ConflictError, NotFoundError, ValidationError } from '../../common/errors';
import { LeaseService } from '../../common/lease.service';
import { LOGGER, type Logger } from '../../common/logger';
import { returnedRows } from '../../common/returned-rows';
import { ScheduledJob } from '../../common/scheduled-job';
import { SIGNAL_HANDLER, type Signal, type SignalHandler } from '../../common/signals';
import { APP_CONFIG, type AppConfig } from '../../config/config';
import { toHeartbeatDefinition, type HeartbeatDefinition, type HeartbeatSpec } from '../../rules/heartbeat-definition';
import { RulesService } from '../../rules/rules.service';
import { Heartbeat } from './heartbeat.entity';
import { dueAt, heartbeatSignal, heartbeatState, type HeartbeatState } from './heartbeat-state';

export const HEARTBEAT_SORTABLE = ['id', 'name', 'service', 'state', 'lastBeatAt', 'dueAt', 'origin'] as const;

/** What the API shows for a heartbeat. */
export interface HeartbeatView {
  id: string;
  name: string;
  origin: 'yaml' | 'api';
  file: string | null;
  description: string | null;
  interval: string;
  grace: string;
  service: string;
  severity: 'page' | 'ticket';
  runbook: string | null;
  declaredAt: Date;
  lastBeatAt: Date | null;
  beatCount: number;
  dueAt: Date;
  state: HeartbeatState;
  createdBy: string;
  updatedAt: Date;
}

/** What a beat answers. */
export interface BeatReceipt {
  name: string;
  lastBeatAt: Date;
  /** The missed-heartbeat incident this beat resolved, if one was open. */
  resolvedIncidentId: number | null;
}

const LEASE = 'heartbeats';

function view(h: Heartbeat, now: Date): HeartbeatView {
  const times = timesOf(h);
  return {
    id: h.name, name: h.name, origin: h.origin, file: h.file, description: h.description,
    interval: formatDuration(h.intervalSeconds), grace: formatDuration(h.graceSeconds), service: h.service, severity: h.severity,
    runbook: h.runbookId ? `${h.runbookId}.md` : null, declaredAt: h.declaredAt, lastBeatAt: h.lastBeatAt, beatCount: Number(h.beatCount),
    dueAt: dueAt(times), state: heartbeatState(times, now), createdBy: h.createdBy, updatedAt: h.updatedAt,
  };
}

function timesOf(h: Heartbeat) {
  return {
    name: h.name, intervalSeconds: h.intervalSeconds, graceSeconds: h.graceSeconds, declaredAt: new Date(h.declaredAt),
    lastBeatAt: h.lastBeatAt ? new Date(h.lastBeatAt) : null, service: h.service, severity: h.severity, runbookId: h.runbookId,
  };
}

/** The declaration columns, as the audit log and the sync compare them. */
const declaration = (d: HeartbeatDefinition) => ({
  description: d.description, interval_seconds: d.intervalSeconds, grace_seconds: d.graceSeconds, service: d.service, severity: d.severity, runbook_id: d.runbookId,
});

/**
 * Heartbeats (dead man's switches), a source that feeds incidents: beats arrive over HTTP
 * (`POST /api/integrations/heartbeat/<name>`), a scheduled pass (one process at a time, by lease)
 * finds the ones that are overdue and hands a firing signal to the pipeline's SIGNAL_HANDLER on
 * every pass while they stay overdue; the next beat hands over the resolved signal at once, and
 * the next pass again if the first was lost. Declared in alerts/*.yaml (synced here at start and
 * on every reload) or through the API.
 */
@Injectable()
export class HeartbeatsService implements OnApplicationBootstrap, OnApplicationShutdown {
  private job?: ScheduledJob;

  constructor(
    private readonly dataSource: DataSource,
    private readonly rules: RulesService,
    @Inject(SIGNAL_HANDLER) private readonly next: SignalHandler,
    private readonly audit: AuditService,
    private readonly leases: LeaseService,
    private readonly scheduler: SchedulerRegistry,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.syncDeclared(this.rules.heartbeats());
    this.rules.onReload((rules) => {
      this.syncDeclared(rules.heartbeats).catch((err) => this.logger.error({ err }, 'heartbeats from alerts/ not synced'));
    });
    // As often as SLOs are evaluated: a missed beat is noticed as soon as a burn would be.
    const seconds = this.config.evaluationIntervalSeconds;
    const lease = { service: this.leases, ttlSeconds: Math.max(10, seconds * 2) };
    this.job = ScheduledJob.start({ name: LEASE, everyMs: seconds * 1000, lease, run: () => this.check(), logger: this.logger, scheduler: this.scheduler });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.job?.stop();
  }

  /**
   * Brings the YAML-declared heartbeats into the table. A changed declaration keeps its last beat
   * and declaration time; a name already declared through the API is skipped with a warning; a
   * heartbeat no longer declared is removed, and its incident (if it was missed) resolved.
   */
  async syncDeclared(defs: HeartbeatDefinition[]): Promise<void> {
    const now = this.clock.now();
    const removed = await this.dataSource.transaction(async (m) => {
      const existing = new Map((await m.find(Heartbeat)).map((h) => [h.name, h]));
      for (const d of defs) {
        if (existing.get(d.name)?.origin === 'api') {
          this.logger.warn({ heartbeat: d.name, file: d.file }, `heartbeat ${d.name} in ${d.file} is ignored: a heartbeat of that name was declared through the API`);
          continue;
        }
        const c = declaration(d);
        await m.query(
          `INSERT INTO heartbeats (name, origin, file, description, interval_seconds, grace_seconds, service, severity, runbook_id, declared_at, created_by, updated_at)
           VALUES ($1, 'yaml', $2, $3, $4, $5, $6, $7, $8, $9, 'alerts', $9)
           ON CONFLICT ON CONSTRAINT pk_heartbeats DO UPDATE SET file = EXCLUDED.file, description = EXCLUDED.description,
             interval_seconds = EXCLUDED.interval_seconds, grace_seconds = EXCLUDED.grace_seconds, service = EXCLUDED.service,
             severity = EXCLUDED.severity, runbook_id = EXCLUDED.runbook_id, updated_at = EXCLUDED.updated_at
           WHERE heartbeats.origin = 'yaml' AND (heartbeats.file, heartbeats.description, heartbeats.interval_seconds, heartbeats.grace_seconds,
             heartbeats.service, heartbeats.severity, heartbeats.runbook_id) IS DISTINCT FROM
             (EXCLUDED.file, EXCLUDED.description, EXCLUDED.interval_seconds, EXCLUDED.grace_seconds, EXCLUDED.service, EXCLUDED.severity, EXCLUDED.runbook_id)`,
          [d.name, d.file, c.description, c.interval_seconds, c.grace_seconds, c.service, c.severity, c.runbook_id, now.toISOString()],
        );
      }
      const declared = new Set(defs.map((d) => d.name));
      const gone = [...existing.values()].filter((h) => h.origin === 'yaml' && !declared.has(h.name));
      if (gone.length > 0) await m.query(`DELETE FROM heartbeats WHERE name = ANY($1) AND origin = 'yaml'`, [gone.map((h) => h.name)]);
      return gone;
    });
    await this.resolveRemoved(removed, now);
  }

  /** A beat: recorded, and the missed-heartbeat incident (if any) resolved. 404 for an undeclared name. */
  async beat(name: string): Promise<BeatReceipt> {
    const now = this.clock.now();
    const rows: Array<Record<string, unknown>> = returnedRows(await this.dataSource.query(
      `UPDATE heartbeats SET last_beat_at = $2, beat_count = beat_count + 1 WHERE name = $1 RETURNING *`,
      [name, now.toISOString()],
    ));
    const row = rows[0] ? fromRaw(rows[0]) : undefined;
    if (!row) {
      throw new NotFoundException(`heartbeat ${name} is not declared: declare it under heartbeats: in an alerts file, or with POST /api/heartbeats`);
    }
    let resolvedIncidentId: number | null = null;
    if (row.missedAt) {
      // The check pass clears missed_at once it sees the beat; until then a beat resolves again (a no-op).
      const signal = heartbeatSignal(timesOf(row), 'resolved', now);
      const receipt = await this.next.handleSignals([signal]);
      resolvedIncidentId = receipt.get(signal.fingerprint) ?? null;
      this.logger.info({ heartbeat: name, incidentId: resolvedIncidentId }, `heartbeat ${name} beat again`);
    }
    return { name, lastBeatAt: now, resolvedIncidentId };
  }

  /**
   * One pass: marks the heartbeats that became overdue, hands a firing signal for every overdue
   * one and a resolved signal for every one marked missed that beat since, then clears the mark of
   * those. Returns the signals handed over.
   */
  async check(): Promise<Signal[]> {
    const now = this.clock.now();
    const at = now.toISOString();
    const overdue = `COALESCE(last_beat_at, declared_at) + make_interval(secs => interval_seconds + grace_seconds) < $1::timestamptz`;
    await this.dataSource.query(`UPDATE heartbeats SET missed_at = $1 WHERE missed_at IS NULL AND ${overdue}`, [at]);
    const marked = await this.dataSource.getRepository(Heartbeat).createQueryBuilder('h').where('h.missed_at IS NOT NULL').orderBy('h.name').getMany();
    const signals = marked.map((h) => heartbeatSignal(timesOf(h), heartbeatState(timesOf(h), now) === 'missed' ? 'firing' : 'resolved', now));
    if (signals.length === 0) return [];
    await this.next.handleSignals(signals);
    const back = signals.filter((s) => s.status === 'resolved').map((s) => String(s.labels?.heartbeat));
    if (back.length > 0) await this.dataSource.query(`UPDATE heartbeats SET missed_at = NULL WHERE name = ANY($2) AND NOT (${overdue})`, [at, back]);
    return signals;
  }

  async list(): Promise<HeartbeatView[]> {
    const now = this.clock.now();
    return (await this.dataSource.getRepository(Heartbeat).find({ order: { name: 'ASC' } })).map((h) => view(h, now));
  }

  async get(name: string): Promise<HeartbeatView> {
    const found = await this.dataSource.getRepository(Heartbeat).findOneBy({ name });
    if (!found) throw new NotFoundError('heartbeat', name);
    return view(found, this.clock.now());
  }

  /** Declares a heartbeat through the API (the same schema as `heartbeats:` in alerts/*.yaml). Audited. */
  async create(spec: HeartbeatSpec, actor: AuditActor): Promise<HeartbeatView> {
    const d = this.definition(spec);
    const now = this.clock.now();
    await this.dataSource.transaction(async (m) => {
      const c = declaration(d);
      const inserted: unknown[] = await m.query(
        `INSERT INTO heartbeats (name, origin, file, description, interval_seconds, grace_seconds, service, severity, runbook_id, declared_at, created_by, updated_at)
         VALUES ($1, 'api', NULL, $2, $3, $4, $5, $6, $7, $8, $9, $8) ON CONFLICT ON CONSTRAINT pk_heartbeats DO NOTHING RETURNING name`,
        [d.name, c.description, c.interval_seconds, c.grace_seconds, c.service, c.severity, c.runbook_id, now.toISOString(), actor.name],
      );
      if (inserted.length === 0) throw new ConflictError(`name: a heartbeat named ${d.name} already exists`);
      await this.audit.record(m, { at: now, actor, action: 'heartbeat.created', entityType: 'heartbeat', entityId: d.name, before: null, after: { ...spec } });
    });
    return this.get(d.name);
  }

  /** Changes an API-declared heartbeat; its last beat stays. One declared in a file is changed there. Audited. */
  async update(name: string, spec: HeartbeatSpec, actor: AuditActor): Promise<HeartbeatView> {
    if (spec.name !== name) throw new ValidationError([{ field: 'name', message: `must be ${name} (a heartbeat is not renamed; delete it and declare a new one)` }]);
    const d = this.definition(spec);
    const now = this.clock.now();
    await this.dataSource.transaction(async (m) => {
      const before = await this.apiRow(m, name);
      const c = declaration(d);
      await m.query(
        `UPDATE heartbeats SET description = $2, interval_seconds = $3, grace_seconds = $4, service = $5, severity = $6, runbook_id = $7, updated_at = $8 WHERE name = $1`,
        [name, c.description, c.interval_seconds, c.grace_seconds, c.service, c.severity, c.runbook_id, now.toISOString()],
      );
      await this.audit.record(m, { at: now, actor, action: 'heartbeat.updated', entityType: 'heartbeat', entityId: name, before: declaration(toDefinition(before)), after: { ...spec } });
    });
    return this.get(name);
  }

  /** Removes an API-declared heartbeat; an incident it had open is resolved. Audited. */
  async remove(name: string, actor: AuditActor): Promise<HeartbeatView> {
    const now = this.clock.now();
    const removed = await this.dataSource.transaction(async (m) => {
      const row = await this.apiRow(m, name);
      await m.query(`DELETE FROM heartbeats WHERE name = $1`, [name]);
      await this.audit.record(m, { at: now, actor, action: 'heartbeat.deleted', entityType: 'heartbeat', entityId: name, before: declaration(toDefinition(row)), after: null });
      return row;
    });
    await this.resolveRemoved([removed], now);
    return view(removed, now);
  }

  /** A heartbeat that was missed and is no longer declared: nothing will ever beat it again. */
  private async resolveRemoved(rows: Heartbeat[], now: Date): Promise<void> {
    const signals = rows.filter((h) => h.missedAt).map((h) => ({ ...heartbeatSignal(timesOf(h), 'resolved', now), resolvedMessage: `heartbeat ${h.name} is no longer declared` }));
    if (signals.length > 0) await this.next.handleSignals(signals);
  }

  private async apiRow(m: EntityManager, name: string): Promise<Heartbeat> {
    const row = await m.findOne(Heartbeat, { where: { name }, lock: { mode: 'pessimistic_write' } });
    if (!row) throw new NotFoundError('heartbeat', name);
    if (row.origin === 'yaml') throw new ConflictError(`heartbeat ${name} is declared in ${row.file}; change it there`);
    return row;
  }

  private definition(spec: HeartbeatSpec): HeartbeatDefinition {
    if (spec.runbook && !this.rules.runbook(spec.runbook.replace(/\.md$/, ''))) {
      throw new ValidationError([{ field: 'runbook', message: `runbook ${spec.runbook} not found in runbooks/` }]);
    }
    return toHeartbeatDefinition(spec, null);
  }
}

function toDefinition(h: Heartbeat): HeartbeatDefinition {
  return { name: h.name, description: h.description, intervalSeconds: h.intervalSeconds, graceSeconds: h.graceSeconds, service: h.service, severity: h.severity, runbookId: h.runbookId, file: h.file };
}

/** A RETURNING row (snake_case) as the entity. */
function fromRaw(r: Record<string, unknown>): Heartbeat {
  return Object.assign(new Heartbeat(), {
    name: r.name, origin: r.origin, file: r.file, description: r.description, intervalSeconds: Number(r.interval_seconds), graceSeconds: Number(r.grace_seconds),
    service: r.service, severity: r.severity, runbookId: r.runbook_id, declaredAt: new Date(r.declared_at as string), lastBeatAt: r.last_beat_at ? new Date(r.last_beat_at as string) : null,
    beatCount: String(r.beat_count), missedAt: r.missed_at ? new Date(r.missed_at as string) : null, createdBy: r.created_by, updatedAt: new Date(r.updated_at as string),
  });
}
