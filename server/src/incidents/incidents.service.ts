import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { DataSource, In, type EntityManager, type FindOptionsWhere, ILike } from 'typeorm';
import { CLOCK, type Clock } from '../common/clock';
import { NotFoundError } from '../common/errors';
import { AppMetrics } from '../common/metrics';
import type { ListQuery } from '../common/pagination';
import { SignalBus, type Signal } from '../common/signals';
import { withSpan } from '../common/telemetry';
import { LOGGER, type Logger } from '../common/logger';
import { OutboxService } from '../outbox/outbox.service';
import { Incident } from './incident.entity';
import * as lifecycle from './incident-lifecycle';
import { SYSTEM_ACTOR, TimelineEntry, type Actor } from './timeline-entry.entity';

export const INCIDENT_SORTABLE = ['id', 'title', 'service', 'severity', 'status', 'triggeredAt'] as const;

/**
 * Turns signals into incidents and applies people's actions. Every change commits together
 * with its timeline row and its outbox message, in one transaction.
 */
@Injectable()
export class IncidentsService implements OnModuleInit {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxService,
    private readonly signals: SignalBus,
    private readonly metrics: AppMetrics,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onModuleInit(): void {
    this.signals.subscribe((batch) => this.handleSignals(batch));
  }

  async handleSignals(signals: Signal[]): Promise<void> {
    await withSpan('incidents.handle-signals', { count: signals.length }, async () => {
      let changed = false;
      for (const signal of signals) {
        changed = (signal.status === 'firing' ? await this.signalFiring(signal) : await this.signalResolved(signal)) || changed;
      }
      if (changed) this.outbox.wake();
    });
  }

  /** Opens an incident unless one is open for this fingerprint; the unique index decides races. */
  private async signalFiring(signal: Signal): Promise<boolean> {
    return this.dataSource.transaction(async (m) => {
      const inserted: Array<{ id: number }> = await m.query(
        `INSERT INTO incidents (title, service, source, severity, status, fingerprint, slo_id, runbook_id, evidence, triggered_at, version)
         VALUES ($1, $2, $3, $4, 'triggered', $5, $6, $7, $8, $9, 1)
         ON CONFLICT (fingerprint) WHERE status <> 'resolved' DO NOTHING
         RETURNING id`,
        [signal.title, signal.service, signal.source, signal.severity, signal.fingerprint, signal.sloId ?? null,
          signal.runbookId ?? null, JSON.stringify(signal.evidence), signal.at.toISOString()],
      );
      if (inserted.length > 0) {
        const id = Number(inserted[0].id);
        await this.addTimeline(m, id, signal.at, SYSTEM_ACTOR, {
          kind: 'incident.triggered',
          message: `Triggered: ${signal.title}`,
          data: { evidence: signal.evidence },
        });
        await this.outbox.enqueue(m, { key: `incident:${id}:page`, topic: 'incident.triggered', incidentId: id });
        this.metrics.incidentsOpened.inc({ source: signal.source, severity: signal.severity });
        this.logger.warn({ incidentId: id, fingerprint: signal.fingerprint, service: signal.service }, `incident ${id} opened: ${signal.title}`);
        return true;
      }
      const open = await this.findOpenForUpdate(m, signal.fingerprint);
      if (!open) return false;
      const event = lifecycle.recordSignalRefired(open, signal.evidence);
      await m.save(open);
      if (event) await this.record(m, open, signal.at, SYSTEM_ACTOR, event);
      return Boolean(event);
    });
  }

  private async signalResolved(signal: Signal): Promise<boolean> {
    return this.dataSource.transaction(async (m) => {
      const open = await this.findOpenForUpdate(m, signal.fingerprint);
      if (!open) return false;
      const event = lifecycle.recordSignalResolved(open, signal.at, signal.evidence);
      if (!event) return false;
      await m.save(open);
      await this.record(m, open, signal.at, SYSTEM_ACTOR, event);
      return true;
    });
  }

  acknowledge(id: number, actor: Actor): Promise<Incident> {
    return this.transition(id, actor, lifecycle.acknowledge);
  }

  resolve(id: number, actor: Actor): Promise<Incident> {
    return this.transition(id, actor, lifecycle.resolve);
  }

  private async transition(
    id: number,
    actor: Actor,
    change: (incident: Incident, actor: Actor, at: Date) => lifecycle.LifecycleEvent,
  ): Promise<Incident> {
    const incident = await this.dataSource.transaction(async (m) => {
      const found = await m.findOne(Incident, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!found) throw new NotFoundError('incident', id);
      const at = this.clock.now();
      const event = change(found, actor, at);
      const saved = await m.save(found);
      await this.record(m, saved, at, actor, event);
      return saved;
    });
    this.outbox.wake();
    return incident;
  }

  /** Writes the timeline row and queues the notification that tells Slack about the change. */
  private async record(m: EntityManager, incident: Incident, at: Date, actor: Actor, event: lifecycle.LifecycleEvent): Promise<void> {
    const entry = await this.addTimeline(m, incident.id, at, actor, event);
    await this.outbox.enqueue(m, {
      key: `incident:${incident.id}:timeline:${entry.id}`,
      topic: event.kind,
      incidentId: incident.id,
      payload: { timelineId: entry.id },
    });
  }

  private async addTimeline(m: EntityManager, incidentId: number, at: Date, actor: Actor, event: lifecycle.LifecycleEvent): Promise<TimelineEntry> {
    return m.save(
      m.create(TimelineEntry, {
        incidentId,
        at,
        kind: event.kind,
        actorType: actor.type,
        actorId: actor.id,
        actorName: actor.name,
        message: event.message,
        data: event.data ?? {},
      }),
    );
  }

  /** Notes a delivery (or a failed one) on the timeline; used by the notify stage. */
  async addNote(incidentId: number, actor: Actor, kind: string, message: string, data: Record<string, unknown> = {}): Promise<void> {
    await this.dataSource.transaction((m) => this.addTimeline(m, incidentId, this.clock.now(), actor, { kind, message, data }));
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

  async getWithTimeline(id: number): Promise<Incident & { timeline: TimelineEntry[] }> {
    const incident = await this.get(id);
    const timeline = await this.timeline(id);
    return { ...incident, timeline };
  }

  timeline(id: number): Promise<TimelineEntry[]> {
    return this.dataSource.getRepository(TimelineEntry).find({ where: { incidentId: id }, order: { at: 'ASC', id: 'ASC' } });
  }

  async list(q: ListQuery): Promise<{ items: Incident[]; total: number }> {
    const f = q.filter;
    const where: FindOptionsWhere<Incident> = {};
    const oneOrMany = (v: unknown) => (Array.isArray(v) ? In(v.map(String)) : String(v));
    if (f.id !== undefined) where.id = Array.isArray(f.id) ? In(f.id.map(Number)) : Number(f.id);
    if (f.status !== undefined) where.status = oneOrMany(f.status) as Incident['status'];
    if (f.service !== undefined) where.service = oneOrMany(f.service);
    if (f.severity !== undefined) where.severity = oneOrMany(f.severity) as Incident['severity'];
    if (f.source !== undefined) where.source = oneOrMany(f.source) as Incident['source'];
    if (typeof f.q === 'string' && f.q.trim()) where.title = ILike(`%${f.q.trim().replace(/[%_\\]/g, '\\$&')}%`);
    const [items, total] = await this.dataSource.getRepository(Incident).findAndCount({
      where,
      order: { [q.sort.field]: q.sort.order, ...(q.sort.field === 'id' ? {} : { id: 'DESC' }) },
      skip: q.offset,
      take: q.limit,
    });
    return { items, total };
  }
}
