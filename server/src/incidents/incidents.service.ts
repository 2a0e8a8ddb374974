import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, type EntityManager, type SelectQueryBuilder } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { CLOCK, type Clock } from '../common/clock';
import { ConflictError, NotFoundError, ValidationError } from '../common/errors';
import { LOGGER, type Logger } from '../common/logger';
import { AppMetrics } from '../common/metrics';
import type { ListQuery } from '../common/pagination';
import type { IncidentsByFingerprint, Severity, Signal, SignalHandler } from '../common/signals';
import { withSpan } from '../common/telemetry';
import { OutboxService } from '../outbox/outbox.service';
import { IncidentAlert } from './incident-alert.entity';
import { IncidentStore } from './incident-store';
import { IncidentWriter, type IncidentDraft } from './incident-writer';
import { INCIDENT_TRANSITIONS, type IncidentTransitionHandler } from './incident-transitions';
import { Incident, type IncidentSource, type IncidentStatus } from './incident.entity';
import * as lifecycle from './incident-lifecycle';
import { pgCode, writeTimeline } from './incident-records';
import { loadActiveMutes, muteReason } from './mute';
import { TimelineEntry } from './timeline-entry.entity';
import { SYSTEM_ACTOR, type Actor } from './actor';

export const INCIDENT_SORTABLE = [
  'id', 'title', 'service', 'severity', 'urgency', 'status', 'source', 'triggeredAt', 'acknowledgedAt', 'resolvedAt', 'alertCount', 'lastAlertAt', 'assignee',
] as const;
export const INCIDENT_ALERT_SORTABLE = ['id', 'lastReceivedAt', 'firstReceivedAt', 'status', 'count'] as const;

/**
 * Above this many matches the list total is PostgreSQL's estimate rather than an exact count:
 * counting exactly reads every matching index entry, which a million incidents make slow, and
 * nobody pages through more than a thousand rows (40 pages of 25) to check the number.
 */
export const EXACT_COUNT_LIMIT = 1_000;

export interface ManualIncidentInput {
  title: string;
  service: string;
  severity: Severity;
  description?: string;
  runbookId?: string;
  assignee?: string;
  labels?: Record<string, string>;
}

/** An incident as a link to it shows: enough to name it. */
export interface IncidentLink {
  id: number;
  title: string;
  service: string;
  status: IncidentStatus;
}

/**
 * The detail adds the likely-cause links both ways (likely-cause.ts): the incident that likely
 * caused this one, and those this one likely caused.
 */
export type IncidentDetail = Incident & { timeline: TimelineEntry[]; alerts: IncidentAlert[]; causedBy: IncidentLink | null; causes: IncidentLink[] };

const STATUSES: readonly IncidentStatus[] = ['triggered', 'acknowledged', 'snoozed', 'resolved'];

/**
 * Turns signals into incidents and applies people's actions. Every change commits together
 * with its timeline row, its outbox message and (for changes made by people or integrations)
 * its audit entry, in one transaction. Outside alerts come in through AlertIngestService.
 */
/** What handling one signal did: whether anything changed, and the incident it landed in. */
interface SignalHandled {
  changed: boolean;
  incidentId: number | null;
}

@Injectable()
export class IncidentsService implements SignalHandler {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxService,
    private readonly metrics: AppMetrics,
    private readonly audit: AuditService,
    private readonly store: IncidentStore,
    private readonly writer: IncidentWriter,
    @Inject(INCIDENT_TRANSITIONS) private readonly transitions: IncidentTransitionHandler,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async handleSignals(signals: Signal[]): Promise<IncidentsByFingerprint> {
    return withSpan('incidents.handle-signals', { count: signals.length }, async () => {
      let changed = false;
      // The incident each signal landed in: the open one of its fingerprint, which is also its newest.
      const receipt: IncidentsByFingerprint = new Map();
      for (const signal of this.writer.signalOrder(signals)) {
        const handled = signal.status === 'firing' ? await this.signalFiring(signal) : await this.signalResolved(signal);
        changed = handled.changed || changed;
        if (handled.incidentId !== null) receipt.set(signal.fingerprint, handled.incidentId);
      }
      if (changed) this.outbox.wake();
      // A resolved signal without an open incident: its newest (resolved) incident, if any.
      const missing = signals.filter((s) => !receipt.has(s.fingerprint)).map((s) => s.fingerprint);
      for (const [fingerprint, id] of await this.store.latestIds(missing)) receipt.set(fingerprint, id);
      return receipt;
    });
  }

  /**
   * Opens an incident unless one is open for this fingerprint; the unique index decides races.
   * A silence or maintenance window in force opens it muted: recorded, but nobody is paged. An
   * open incident of the fingerprint the signal is inhibited by holds it back entirely.
   */
  private async signalFiring(signal: Signal): Promise<SignalHandled> {
    return this.dataSource.transaction(async (m) => {
      if (signal.inhibitedBy && (await this.hasOpen(m, signal.inhibitedBy))) return { changed: false, incidentId: null };
      const labels = signalLabels(signal);
      const muted = muteReason(labels, signal.service, await loadActiveMutes(m, signal.at));
      const draft: IncidentDraft = {
        fingerprint: signal.fingerprint,
        title: signal.title,
        service: signal.service,
        source: signal.source,
        severity: signal.severity,
        urgency: signal.urgency ?? 'page',
        sloId: signal.sloId ?? null,
        runbookId: signal.runbookId ?? null,
        runbookUrl: null,
        description: null,
        evidence: signal.evidence,
        labels,
        alertCount: 0,
        route: null,
        autoResolve: signal.autoResolve ?? false,
        mutedBy: muted,
        keepsLatestEvidence: true,
      };
      const [written] = await this.writer.upsert(m, [draft], signal.at);
      if (written.inserted) {
        const { line, paged } = await this.writer.opened(m, written, draft, SYSTEM_ACTOR, signal.at, { evidence: signal.evidence });
        await writeTimeline(m, this.outbox, [line]);
        return { changed: paged, incidentId: written.id };
      }
      const { lines, paged } = await this.writer.added(m, [{ incident: written, draft, actor: SYSTEM_ACTOR }], signal.at);
      await writeTimeline(m, this.outbox, lines);
      return { changed: lines.length > 0 || paged, incidentId: written.id };
    });
  }

  private async signalResolved(signal: Signal): Promise<SignalHandled> {
    return this.dataSource.transaction(async (m) => {
      const open = await this.findOpenForUpdate(m, signal.fingerprint);
      if (!open) return { changed: false, incidentId: null };
      const status = open.status;
      const event = this.writer.cleared(open, signal.source, SYSTEM_ACTOR, signal.at, signal.evidence, signal.resolvedMessage, signal.ends);
      if (!event) return { changed: false, incidentId: open.id };
      await m.save(open);
      await writeTimeline(m, this.outbox, [{ incidentId: open.id, at: signal.at, actor: SYSTEM_ACTOR, event }]);
      // A signal that resolves its incident (autoResolve) stops the incident's escalation too.
      if (open.status !== status) await this.transitions.incidentStatusChanged(m, open.id);
      // What it held back and still fires outlived it: paged now.
      await this.writer.causeEnded(m, open.id, signal.at);
      return { changed: true, incidentId: open.id };
    });
  }

  /**
   * `alsoInTransaction` runs with the incident locked, before the change, in its transaction:
   * what it writes commits only with the acknowledgement, and what it throws undoes both (an
   * acknowledge link is spent this way, exactly when it acknowledges).
   */
  acknowledge(id: number, actor: Actor, alsoInTransaction?: (m: EntityManager, incident: Incident) => Promise<void>): Promise<Incident> {
    return this.transition(id, actor, (i, at) => lifecycle.acknowledge(i, actor, at), alsoInTransaction);
  }

  resolve(id: number, actor: Actor): Promise<Incident> {
    return this.transition(id, actor, (i, at) => lifecycle.resolve(i, actor, at));
  }

  /** Quiet for `seconds`; it returns to triggered afterwards (endDueSnoozes). */
  snooze(id: number, actor: Actor, seconds: number): Promise<Incident> {
    return this.transition(id, actor, (i, at) => lifecycle.snooze(i, actor, at, new Date(at.getTime() + seconds * 1000)));
  }

  reassign(id: number, actor: Actor, assignee: string | null): Promise<Incident> {
    return this.transition(id, actor, (i) => lifecycle.reassign(i, actor, assignee));
  }

  reopen(id: number, actor: Actor): Promise<Incident> {
    return this.transition(id, actor, (i) => lifecycle.reopen(i, actor), async (m, i) => {
      const [other] = await m.query(`SELECT id FROM incidents WHERE fingerprint = $1 AND status <> 'resolved' AND id <> $2`, [i.fingerprint, i.id]);
      if (other) throw new ConflictError(`incident ${other.id} is open for the same alert; work on that one instead of re-opening ${i.id}`);
    });
  }

  /** A note by a person: on the timeline, in the Slack thread and in the audit log. */
  addUserNote(id: number, actor: Actor, text: string): Promise<Incident> {
    return this.transition(id, actor, () => lifecycle.note(actor, text));
  }

  private async transition(
    id: number,
    actor: Actor,
    change: (incident: Incident, at: Date) => lifecycle.LifecycleEvent,
    check?: (m: EntityManager, incident: Incident) => Promise<void>,
  ): Promise<Incident> {
    const incident = await this.dataSource.transaction(async (m) => {
      const found = await m.findOne(Incident, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!found) throw new NotFoundError('incident', id);
      const at = this.clock.now();
      const before = lifecycle.auditView(found);
      if (check) await check(m, found);
      const event = change(found, at);
      let saved: Incident;
      try {
        saved = await m.save(found);
      } catch (err) {
        if (pgCode(err) === '23505') throw new ConflictError(`another incident is open for the same alert as incident ${id}`);
        throw err;
      }
      await writeTimeline(m, this.outbox, [{ incidentId: saved.id, at, actor, event }]);
      if (saved.status !== before.status) await this.transitions.incidentStatusChanged(m, saved.id);
      if (saved.status === 'resolved' && before.status !== 'resolved') await this.writer.causeEnded(m, saved.id, at);
      await this.audit.record(m, {
        at, actor, action: event.kind, entityType: 'incident', entityId: saved.id,
        before, after: event.kind === 'incident.note-added' ? { ...lifecycle.auditView(saved), note: event.data?.note } : lifecycle.auditView(saved),
      });
      return saved;
    });
    this.outbox.wake();
    return incident;
  }

  /**
   * Opened by a person: always pages (no silence applies to a deliberate page). `alsoInTransaction`
   * lets the caller commit more with it, such as a direct message to the person paged.
   */
  async createManual(input: ManualIncidentInput, actor: Actor, alsoInTransaction?: (m: EntityManager, incident: Incident) => Promise<void>): Promise<Incident> {
    const incident = await this.dataSource.transaction(async (m) => {
      const at = this.clock.now();
      const row = m.create(Incident, {
        title: input.title,
        service: input.service,
        source: 'manual' as IncidentSource,
        severity: input.severity,
        status: 'triggered' as IncidentStatus,
        fingerprint: `manual:${randomUUID()}`,
        runbookId: input.runbookId ?? null,
        description: input.description ?? null,
        assignee: input.assignee ?? null,
        labels: input.labels ?? {},
        evidence: {},
        triggeredAt: at,
        lastAlertAt: at,
        alertCount: 0,
      });
      const saved = await m.save(row);
      await writeTimeline(m, this.outbox, [{
        incidentId: saved.id, at, actor,
        event: { kind: 'incident.triggered', message: `Opened by ${actor.name}: ${input.title}`, notify: false },
      }]);
      await this.writer.page(m, saved.id);
      await alsoInTransaction?.(m, saved);
      await this.audit.record(m, { at, actor, action: 'incident.created', entityType: 'incident', entityId: saved.id, before: null, after: { ...lifecycle.auditView(saved), source: 'manual' } });
      return saved;
    });
    this.metrics.incidentsOpened.inc({ source: 'manual', severity: input.severity });
    this.outbox.wake();
    return incident;
  }

  /** Returns snoozed incidents whose snooze is over to triggered; safe to run in several processes. */
  async endDueSnoozes(): Promise<number> {
    const at = this.clock.now();
    // A cheap look first: this runs every few seconds, and on PGlite a transaction holds up every other query.
    const [due] = await this.dataSource.query(`SELECT 1 FROM incidents WHERE status = 'snoozed' AND snoozed_until <= $1 LIMIT 1`, [at.toISOString()]);
    if (!due) return 0;
    const ended = await this.dataSource.transaction(async (m) => {
      const due: Incident[] = await m
        .createQueryBuilder(Incident, 'i')
        .setLock('pessimistic_write')
        .setOnLocked('skip_locked')
        .where(`i.status = 'snoozed' AND i.snoozed_until <= :at`, { at: at.toISOString() })
        .orderBy('i.id')
        .limit(100)
        .getMany();
      const drafts = [];
      for (const incident of due) {
        const event = lifecycle.endSnooze(incident, at);
        if (!event) continue;
        await m.save(incident);
        await this.transitions.incidentStatusChanged(m, incident.id);
        drafts.push({ incidentId: incident.id, at, actor: SYSTEM_ACTOR, event });
      }
      await writeTimeline(m, this.outbox, drafts);
      return drafts.length;
    });
    if (ended > 0) this.outbox.wake();
    return ended;
  }

  /** Notes a delivery (or a failed one) on the timeline; used by the notify stage. */
  async addNote(incidentId: number, actor: Actor, kind: string, message: string, data: Record<string, unknown> = {}): Promise<void> {
    await this.dataSource.transaction((m) =>
      writeTimeline(m, this.outbox, [{ incidentId, at: this.clock.now(), actor, event: { kind, message, data, notify: false } }]),
    );
  }

  private async hasOpen(m: EntityManager, fingerprint: string): Promise<boolean> {
    const rows: unknown[] = await m.query(`SELECT 1 FROM incidents WHERE fingerprint = $1 AND status <> 'resolved' LIMIT 1`, [fingerprint]);
    return rows.length > 0;
  }

  private findOpenForUpdate(m: EntityManager, fingerprint: string): Promise<Incident | null> {
    return m
      .createQueryBuilder(Incident, 'i')
      .setLock('pessimistic_write')
      .where('i.fingerprint = :fingerprint AND i.status <> :resolved', { fingerprint, resolved: 'resolved' })
      .getOne();
  }

  async get(id: number): Promise<Incident> {
    const incident = await this.dataSource.getRepository(Incident).findOneBy({ id });
    if (!incident) throw new NotFoundError('incident', id);
    return incident;
  }

  /** One incident with its timeline and its most recent alerts (all of them: GET /api/incidents/:id/alerts). */
  async getWithTimeline(id: number): Promise<IncidentDetail> {
    const incident = await this.get(id);
    const timeline = await this.timeline(id);
    const alerts = await this.dataSource.getRepository(IncidentAlert).find({ where: { incidentId: id }, order: { lastReceivedAt: 'DESC', id: 'DESC' }, take: 100 });
    const link = { select: { id: true, title: true, service: true, status: true } } as const;
    const causedBy = incident.causedByIncidentId === null ? null : await this.dataSource.getRepository(Incident).findOne({ ...link, where: { id: incident.causedByIncidentId } });
    const causes = await this.dataSource.getRepository(Incident).find({ ...link, where: { causedByIncidentId: id }, order: { id: 'ASC' }, take: 100 });
    return { ...incident, timeline, alerts, causedBy, causes };
  }

  timeline(id: number): Promise<TimelineEntry[]> {
    return this.dataSource.getRepository(TimelineEntry).find({ where: { incidentId: id }, order: { at: 'ASC', id: 'ASC' } });
  }

  async alerts(id: number, q: ListQuery): Promise<{ items: IncidentAlert[]; total: number }> {
    await this.get(id);
    const qb = this.dataSource.getRepository(IncidentAlert).createQueryBuilder('a').where('a.incident_id = :id', { id });
    if (q.filter.status !== undefined) qb.andWhere('a.status IN (:...status)', { status: [q.filter.status].flat().map(String) });
    const column: Record<string, string> = { id: 'a.id', lastReceivedAt: 'a.last_received_at', firstReceivedAt: 'a.first_received_at', status: 'a.status', count: 'a.count' };
    qb.orderBy(column[q.sort.field] ?? 'a.id', q.sort.order).addOrderBy('a.id', 'DESC');
    const [items, total] = await qb.skip(q.offset).take(q.limit).getManyAndCount();
    return { items, total };
  }

  /**
   * react-admin list. The first page of a status stays fast with a million incidents: rows come
   * from the (status, id) index, the partial index of open incidents (several open statuses) or
   * the primary key, and the total is exact up to EXACT_COUNT_LIMIT
   * matches and PostgreSQL's row estimate beyond.
   */
  async list(q: ListQuery): Promise<{ items: Incident[]; total: number }> {
    const f = q.filter;
    const qb = this.dataSource.getRepository(Incident).createQueryBuilder('i');
    const values = (key: string): string[] | undefined => (f[key] === undefined ? undefined : [f[key]].flat().map(String));
    if (f.id !== undefined) qb.andWhere('i.id IN (:...ids)', { ids: [f.id].flat().map(Number).filter(Number.isFinite) });
    const status = values('status');
    if (status) {
      const bad = status.filter((s) => !STATUSES.includes(s as IncidentStatus));
      if (bad.length) throw new ValidationError([{ field: 'filter.status', message: `must be one of ${STATUSES.join(', ')} (got ${bad.join(', ')})` }]);
      qb.andWhere('i.status IN (:...status)', { status });
    }
    for (const [key, column] of [['service', 'i.service'], ['severity', 'i.severity'], ['urgency', 'i.urgency'], ['source', 'i.source'], ['assignee', 'i.assignee']] as const) {
      const v = values(key);
      if (v) qb.andWhere(`${column} IN (:...${key})`, { [key]: v });
    }
    if (typeof f.muted === 'boolean') qb.andWhere('i.muted = :muted', { muted: f.muted });
    for (const [key, op] of [['triggeredAt_gte', '>='], ['triggeredAt_lte', '<=']] as const) {
      if (f[key] === undefined) continue;
      const d = new Date(String(f[key]));
      if (Number.isNaN(d.getTime())) throw new ValidationError([{ field: `filter.${key}`, message: 'must be an ISO time' }]);
      qb.andWhere(`i.triggered_at ${op} :${key}`, { [key]: d.toISOString() });
    }
    if (typeof f.q === 'string' && f.q.trim()) qb.andWhere('i.title ILIKE :q', { q: `%${f.q.trim().replace(/[%_\\]/g, '\\$&')}%` });
    const counting = this.countCapped(qb.clone());
    qb.orderBy(`i.${q.sort.field}`, q.sort.order);
    if (q.sort.field !== 'id') qb.addOrderBy('i.id', 'DESC');
    // On PostgreSQL the page and the count run side by side on two connections.
    const [items, counted] = await Promise.all([qb.skip(q.offset).take(q.limit).getMany(), counting]);
    // A short page shows where the list ends, whatever the estimate said.
    const total = items.length < q.limit && (items.length > 0 || q.offset === 0) ? q.offset + items.length : counted;
    return { items, total };
  }

  private async countCapped(qb: SelectQueryBuilder<Incident>): Promise<number> {
    const [sql, params] = qb.select('1').getQueryAndParameters();
    // The planner's estimate first: when it is far above the limit, counting would only confirm it.
    const [plan] = await this.dataSource.query(`EXPLAIN (FORMAT JSON) ${sql}`, params);
    const estimate = Math.round(Number(plan?.['QUERY PLAN']?.[0]?.Plan?.['Plan Rows'] ?? 0));
    if (estimate > 10 * EXACT_COUNT_LIMIT) return estimate;
    const [{ n }] = await this.dataSource.query(`SELECT count(*)::int AS n FROM (${sql} LIMIT ${EXACT_COUNT_LIMIT + 1}) capped`, params);
    return Number(n) <= EXACT_COUNT_LIMIT ? Number(n) : Math.max(estimate, EXACT_COUNT_LIMIT + 1);
  }
}

/** The labels silences match for SLO and guardrail signals. */
export function signalLabels(signal: Signal): Record<string, string> {
  return {
    ...signal.labels,
    alertname: signal.sloId ?? signal.fingerprint,
    service: signal.service,
    severity: signal.severity,
    source: signal.source,
    ...(signal.sloId ? { slo: signal.sloId } : {}),
  };
}
