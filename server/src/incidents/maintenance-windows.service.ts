import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { CLOCK, type Clock } from '../common/clock';
import { ConflictError, NotFoundError, ValidationError } from '../common/errors';
import type { ListQuery } from '../common/pagination';
import { MaintenanceWindow } from './maintenance-window.entity';
import { muteState, resolveWindow, stateCondition, type MuteState, type WindowInput } from './mute-window';
import type { Actor } from './actor';

export type MaintenanceWindowView = MaintenanceWindow & { status: MuteState };
export const MAINTENANCE_SORTABLE = ['id', 'service', 'startsAt', 'endsAt', 'createdAt'] as const;
const STATES: readonly MuteState[] = ['pending', 'active', 'expired'];

/** Maintenance windows per service: alerts of the service are recorded but page nobody while one is active. */
@Injectable()
export class MaintenanceWindowsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  private view(w: MaintenanceWindow): MaintenanceWindowView {
    return { ...w, status: muteState(w, this.clock.now()) };
  }

  async create(input: WindowInput & { service: string; comment: string }, actor: Actor): Promise<MaintenanceWindowView> {
    const now = this.clock.now();
    const { startsAt, endsAt } = resolveWindow(input, now);
    const saved = await this.dataSource.transaction(async (m) => {
      const row = await m.save(m.create(MaintenanceWindow, { service: input.service, startsAt, endsAt, comment: input.comment, createdBy: actor.name, createdAt: now }));
      await this.audit.record(m, { at: now, actor, action: 'maintenance-window.created', entityType: 'maintenance-window', entityId: row.id, before: null, after: auditView(row) });
      return row;
    });
    return this.view(saved);
  }

  async get(id: number): Promise<MaintenanceWindowView> {
    const found = await this.dataSource.getRepository(MaintenanceWindow).findOneBy({ id });
    if (!found) throw new NotFoundError('maintenance window', id);
    return this.view(found);
  }

  async expire(id: number, actor: Actor): Promise<MaintenanceWindowView> {
    const saved = await this.dataSource.transaction(async (m) => {
      const found = await m.findOne(MaintenanceWindow, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!found) throw new NotFoundError('maintenance window', id);
      const now = this.clock.now();
      if (muteState(found, now) === 'expired') throw new ConflictError(`maintenance window ${id} already ended at ${found.endsAt.toISOString()}`);
      const before = auditView(found);
      found.endsAt = now;
      if (found.startsAt.getTime() > now.getTime()) found.startsAt = now;
      found.expiredAt = now;
      const row = await m.save(found);
      await this.audit.record(m, { at: now, actor, action: 'maintenance-window.expired', entityType: 'maintenance-window', entityId: id, before, after: auditView(row) });
      return row;
    });
    return this.view(saved);
  }

  /** Filters: `status` (pending, active, expired), `service`, `id`. */
  async list(q: ListQuery): Promise<{ items: MaintenanceWindowView[]; total: number }> {
    const qb = this.dataSource.getRepository(MaintenanceWindow).createQueryBuilder('w');
    const f = q.filter;
    if (f.id !== undefined) qb.andWhere('w.id IN (:...ids)', { ids: [f.id].flat().map(Number) });
    if (f.service !== undefined) qb.andWhere('w.service IN (:...services)', { services: [f.service].flat().map(String) });
    if (f.status !== undefined) {
      const states = [f.status].flat().map(String);
      const bad = states.filter((s) => !STATES.includes(s as MuteState));
      if (bad.length) throw new ValidationError([{ field: 'filter.status', message: `must be one of ${STATES.join(', ')}` }]);
      qb.andWhere(`(${states.map((s) => stateCondition('w', s as MuteState)).join(' OR ')})`, { now: this.clock.now().toISOString() });
    }
    qb.orderBy(`w.${q.sort.field}`, q.sort.order);
    if (q.sort.field !== 'id') qb.addOrderBy('w.id', 'DESC');
    const [items, total] = await qb.skip(q.offset).take(q.limit).getManyAndCount();
    return { items: items.map((w) => this.view(w)), total };
  }
}

function auditView(w: MaintenanceWindow): Record<string, unknown> {
  return { service: w.service, startsAt: w.startsAt, endsAt: w.endsAt, comment: w.comment, createdBy: w.createdBy };
}
