import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type SelectQueryBuilder } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { CLOCK, type Clock } from '../common/clock';
import { ConflictError, NotFoundError, ValidationError } from '../common/errors';
import type { ListQuery } from '../common/pagination';
import { formatMatcher, mutesEverything, type LabelMatcher } from '../rules/label-matcher';
import { muteState, resolveWindow, stateCondition, type MuteState, type WindowInput } from './mute-window';
import { Silence, type SilenceKind } from './silence.entity';
import type { Actor } from './actor';

/** What the API shows of each kind: a silence its matchers, a maintenance window its service. */
interface Common {
  id: number;
  startsAt: Date;
  endsAt: Date;
  createdBy: string;
  comment: string;
  createdAt: Date;
  expiredAt: Date | null;
  status: MuteState;
}
export type SilenceView = { id: number; matchers: LabelMatcher[] } & Omit<Common, 'id'>;
export type MaintenanceWindowView = { id: number; service: string } & Omit<Common, 'id'>;

interface Kinds {
  silence: { input: { matchers: LabelMatcher[]; comment: string }; view: SilenceView };
  maintenance: { input: { service: string; comment: string }; view: MaintenanceWindowView };
}
export type CreateInput<K extends SilenceKind> = WindowInput & Kinds[K]['input'];
export type ViewOf<K extends SilenceKind> = Kinds[K]['view'];

export const SILENCE_SORTABLE = ['id', 'startsAt', 'endsAt', 'createdBy', 'createdAt'] as const;
export const MAINTENANCE_SORTABLE = ['id', 'service', 'startsAt', 'endsAt', 'createdAt'] as const;
const STATES: readonly MuteState[] = ['pending', 'active', 'expired'];

/** Where the kinds differ: what they match on, their names in messages and the audit log, and their own filters. */
interface KindSpec {
  /** In 404 and 409 messages. */
  noun: string;
  /** The audit log's entity type, and the prefix of its actions. */
  entityType: string;
  /** The columns a new one gets from the request; throws a ValidationError for what cannot be stored. */
  target(input: CreateInput<SilenceKind>): { matchers: LabelMatcher[]; service: string | null };
  /** What this kind shows of its target, first after the id (views and audit entries). */
  shown(s: Silence, forAudit: boolean): Record<string, unknown>;
  filter(qb: SelectQueryBuilder<Silence>, f: Record<string, unknown>): void;
}

const KINDS: Record<SilenceKind, KindSpec> = {
  silence: {
    noun: 'silence',
    entityType: 'silence',
    target(input) {
      const { matchers } = input as CreateInput<'silence'>;
      if (mutesEverything(matchers)) {
        throw new ValidationError([{ field: 'matchers', message: 'at least one matcher must not match the empty string, or the silence would mute every alert' }]);
      }
      return { matchers, service: null };
    },
    shown: (s, forAudit) => ({ matchers: forAudit ? s.matchers.map(formatMatcher) : s.matchers }),
    /** `q`: text in the comment, creator or matchers. */
    filter(qb, f) {
      if (typeof f.q === 'string' && f.q.trim()) {
        qb.andWhere('(s.comment ILIKE :like OR s.created_by ILIKE :like OR s.matchers::text ILIKE :like)', { like: `%${f.q.trim().replace(/[%_\\]/g, '\\$&')}%` });
      }
    },
  },
  maintenance: {
    noun: 'maintenance window',
    entityType: 'maintenance-window',
    target: (input) => ({ matchers: [], service: (input as CreateInput<'maintenance'>).service }),
    shown: (s) => ({ service: s.service }),
    /** `service`: one or a list. */
    filter(qb, f) {
      if (f.service !== undefined) qb.andWhere('s.service IN (:...services)', { services: [f.service].flat().map(String) });
    },
  },
};

/**
 * Silences (Alertmanager's model), maintenance windows being silences on a service: create, get,
 * expire, list, each for one kind (the other kind's entries are not found). Every change is
 * audited in its transaction, under the kind's own entity type.
 */
@Injectable()
export class SilencesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  private view<K extends SilenceKind>(s: Silence): ViewOf<K> {
    const { id, startsAt, endsAt, createdBy, comment, createdAt, expiredAt } = s;
    return { id, ...KINDS[s.kind].shown(s, false), startsAt, endsAt, createdBy, comment, createdAt, expiredAt, status: muteState(s, this.clock.now()) } as ViewOf<K>;
  }

  async create<K extends SilenceKind>(kind: K, input: CreateInput<K>, actor: Actor): Promise<ViewOf<K>> {
    const spec = KINDS[kind];
    const target = spec.target(input);
    const now = this.clock.now();
    const { startsAt, endsAt } = resolveWindow(input, now);
    const saved = await this.dataSource.transaction(async (m) => {
      const row = await m.save(m.create(Silence, { kind, ...target, startsAt, endsAt, comment: input.comment, createdBy: actor.name, createdAt: now }));
      await this.audit.record(m, { at: now, actor, action: `${spec.entityType}.created`, entityType: spec.entityType, entityId: row.id, before: null, after: auditView(row) });
      return row;
    });
    return this.view(saved);
  }

  async get<K extends SilenceKind>(kind: K, id: number): Promise<ViewOf<K>> {
    const found = await this.dataSource.getRepository(Silence).findOneBy({ id, kind });
    if (!found) throw new NotFoundError(KINDS[kind].noun, id);
    return this.view(found);
  }

  /** Ends it now (Alertmanager's expire); an expired silence no longer mutes. 409 if it already ended. */
  async expire<K extends SilenceKind>(kind: K, id: number, actor: Actor): Promise<ViewOf<K>> {
    const spec = KINDS[kind];
    const saved = await this.dataSource.transaction(async (m) => {
      const found = await m.findOne(Silence, { where: { id, kind }, lock: { mode: 'pessimistic_write' } });
      if (!found) throw new NotFoundError(spec.noun, id);
      const now = this.clock.now();
      if (muteState(found, now) === 'expired') throw new ConflictError(`${spec.noun} ${id} already ended at ${found.endsAt.toISOString()}`);
      const before = auditView(found);
      found.endsAt = now;
      if (found.startsAt.getTime() > now.getTime()) found.startsAt = now;
      found.expiredAt = now;
      const row = await m.save(found);
      await this.audit.record(m, { at: now, actor, action: `${spec.entityType}.expired`, entityType: spec.entityType, entityId: id, before, after: auditView(row) });
      return row;
    });
    return this.view(saved);
  }

  /** Filters: `status` (pending, active, expired; one or a list), `id`, and the kind's own (see KINDS). */
  async list<K extends SilenceKind>(kind: K, q: ListQuery): Promise<{ items: Array<ViewOf<K>>; total: number }> {
    const qb = this.dataSource.getRepository(Silence).createQueryBuilder('s').where('s.kind = :kind', { kind });
    const f = q.filter;
    if (f.id !== undefined) qb.andWhere('s.id IN (:...ids)', { ids: [f.id].flat().map(Number) });
    KINDS[kind].filter(qb, f);
    if (f.status !== undefined) {
      const states = [f.status].flat().map(String);
      const bad = states.filter((s) => !STATES.includes(s as MuteState));
      if (bad.length) throw new ValidationError([{ field: 'filter.status', message: `must be one of ${STATES.join(', ')}` }]);
      qb.andWhere(`(${states.map((s) => stateCondition('s', s as MuteState)).join(' OR ')})`, { now: this.clock.now().toISOString() });
    }
    qb.orderBy(`s.${q.sort.field}`, q.sort.order);
    if (q.sort.field !== 'id') qb.addOrderBy('s.id', 'DESC');
    const [items, total] = await qb.skip(q.offset).take(q.limit).getManyAndCount();
    return { items: items.map((s) => this.view<K>(s)), total };
  }
}

/** The audit entry's record: what the kind matches on, the window, the comment and the creator. */
function auditView(s: Silence): Record<string, unknown> {
  return { ...KINDS[s.kind].shown(s, true), startsAt: s.startsAt, endsAt: s.endsAt, comment: s.comment, createdBy: s.createdBy };
}
