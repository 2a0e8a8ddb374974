import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { CLOCK, type Clock } from '../common/clock';
import { ConflictError, NotFoundError, ValidationError } from '../common/errors';
import type { ListQuery } from '../common/pagination';
import { formatMatcher, mutesEverything, type LabelMatcher } from '../rules/label-matcher';
import { muteState, resolveWindow, stateCondition, type MuteState, type WindowInput } from './mute-window';
import { Silence } from './silence.entity';
import type { Actor } from './actor';

export type SilenceView = Silence & { status: MuteState };
export const SILENCE_SORTABLE = ['id', 'startsAt', 'endsAt', 'createdBy', 'createdAt'] as const;
const STATES: readonly MuteState[] = ['pending', 'active', 'expired'];

/** Silences (Alertmanager's model): create, list, expire. Every change is audited in its transaction. */
@Injectable()
export class SilencesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  private view(s: Silence): SilenceView {
    return { ...s, status: muteState(s, this.clock.now()) };
  }

  async create(input: WindowInput & { matchers: LabelMatcher[]; comment: string }, actor: Actor): Promise<SilenceView> {
    if (mutesEverything(input.matchers)) {
      throw new ValidationError([{ field: 'matchers', message: 'at least one matcher must not match the empty string, or the silence would mute every alert' }]);
    }
    const now = this.clock.now();
    const { startsAt, endsAt } = resolveWindow(input, now);
    const saved = await this.dataSource.transaction(async (m) => {
      const row = await m.save(m.create(Silence, { matchers: input.matchers, startsAt, endsAt, comment: input.comment, createdBy: actor.name, createdAt: now }));
      await this.audit.record(m, { at: now, actor, action: 'silence.created', entityType: 'silence', entityId: row.id, before: null, after: auditView(row) });
      return row;
    });
    return this.view(saved);
  }

  async get(id: number): Promise<SilenceView> {
    const found = await this.dataSource.getRepository(Silence).findOneBy({ id });
    if (!found) throw new NotFoundError('silence', id);
    return this.view(found);
  }

  /** Ends it now (Alertmanager's expire); an expired silence no longer mutes. 409 if it already ended. */
  async expire(id: number, actor: Actor): Promise<SilenceView> {
    const saved = await this.dataSource.transaction(async (m) => {
      const found = await m.findOne(Silence, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!found) throw new NotFoundError('silence', id);
      const now = this.clock.now();
      if (muteState(found, now) === 'expired') throw new ConflictError(`silence ${id} already ended at ${found.endsAt.toISOString()}`);
      const before = auditView(found);
      found.endsAt = now;
      if (found.startsAt.getTime() > now.getTime()) found.startsAt = now;
      found.expiredAt = now;
      const row = await m.save(found);
      await this.audit.record(m, { at: now, actor, action: 'silence.expired', entityType: 'silence', entityId: id, before, after: auditView(row) });
      return row;
    });
    return this.view(saved);
  }

  /** Filters: `status` (pending, active, expired; one or a list), `q` (text in the comment, creator or matchers), `id`. */
  async list(q: ListQuery): Promise<{ items: SilenceView[]; total: number }> {
    const qb = this.dataSource.getRepository(Silence).createQueryBuilder('s');
    const f = q.filter;
    if (f.id !== undefined) qb.andWhere('s.id IN (:...ids)', { ids: [f.id].flat().map(Number) });
    if (f.status !== undefined) {
      const states = [f.status].flat().map(String);
      const bad = states.filter((s) => !STATES.includes(s as MuteState));
      if (bad.length) throw new ValidationError([{ field: 'filter.status', message: `must be one of ${STATES.join(', ')}` }]);
      qb.andWhere(`(${states.map((s) => stateCondition('s', s as MuteState)).join(' OR ')})`, { now: this.clock.now().toISOString() });
    }
    if (typeof f.q === 'string' && f.q.trim()) {
      qb.andWhere('(s.comment ILIKE :like OR s.created_by ILIKE :like OR s.matchers::text ILIKE :like)', { like: `%${f.q.trim().replace(/[%_\\]/g, '\\$&')}%` });
    }
    qb.orderBy(`s.${q.sort.field}`, q.sort.order);
    if (q.sort.field !== 'id') qb.addOrderBy('s.id', 'DESC');
    const [items, total] = await qb.skip(q.offset).take(q.limit).getManyAndCount();
    return { items: items.map((s) => this.view(s)), total };
  }
}

function auditView(s: Silence): Record<string, unknown> {
  return { matchers: s.matchers.map(formatMatcher), startsAt: s.startsAt, endsAt: s.endsAt, comment: s.comment, createdBy: s.createdBy };
}
