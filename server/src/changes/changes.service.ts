import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditService, type AuditActor } from '../audit/audit.service';
import { IntegrationKeysService } from '../auth/integration-keys.service';
import { CLOCK, type Clock } from '../common/clock';
import { InvalidEventError, ValidationError } from '../common/errors';
import type { ListQuery } from '../common/pagination';
import { Change } from './change.entity';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { RoutesService } from '../rules/routes.service';
import { dependenciesOf } from '../rules/inhibit-rule';
import { changesBefore, type ChangeOnIncident } from './incident-changes';
import {
  ChangeInputError, CHANGE_KINDS, CHANGE_SOURCES, flaggerPhaseChanged, fromFlagger, fromGeneric, fromPagerDuty,
  pagerDutyChangeSchema, type ChangeDraft, type FlaggerEvent, type GenericChange,
} from './change-input';

export const CHANGE_SORTABLE = ['id', 'at', 'service', 'kind'] as const;

export type ChangeView = Change;

/**
 * Stores the changes senders report (each with its audit row, in one transaction) and lists
 * them. Incidents, pages and rollbacks read them from here to say what changed before a burn.
 */
@Injectable()
export class ChangesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly keys: IntegrationKeysService,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly routes: RoutesService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * The changes shown with an incident of `service` that started at `startedAt`: its own and its
   * dependencies' (dependsOn) in HEADROOM_CHANGE_WINDOW before, the suspect first.
   */
  async beforeIncident(service: string, startedAt: Date): Promise<Array<ChangeOnIncident<ChangeView>>> {
    const services = [service, ...dependenciesOf(this.routes.inhibition(), service)];
    const from = new Date(startedAt.getTime() - this.config.changeWindowSeconds * 1000);
    const rows = await this.dataSource.getRepository(Change).createQueryBuilder('c')
      .where('c.service IN (:...services) AND c.at >= :from AND c.at <= :to', { services, from, to: startedAt })
      .orderBy('c.at', 'DESC').addOrderBy('c.id', 'DESC').take(50).getMany();
    return changesBefore(rows, service, startedAt);
  }

  /** Headroom's own JSON change, from an integration key or a responder's token. */
  reportGeneric(body: GenericChange, actor: AuditActor): Promise<ChangeView> {
    return this.store(asValidation(() => fromGeneric(body, this.clock.now())), actor);
  }

  /**
   * PagerDuty's Change Events API, answered as PagerDuty answers: 202 `{status: "success",
   * message: "Change event processed"}`; 400 `{status: "invalid event", …, errors}`. The
   * routing_key is a `changes` key, or the `pagerduty` key that already sends alerts (PagerDuty
   * takes the same key for both).
   */
  async reportPagerDuty(body: unknown): Promise<{ status: 'success'; message: string }> {
    const parsed = pagerDutyChangeSchema.safeParse(body);
    if (!parsed.success) throw new InvalidEventError(parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`));
    const key = (await this.keys.verify(parsed.data.routing_key, 'changes')) ?? (await this.keys.verify(parsed.data.routing_key, 'pagerduty'));
    if (!key) throw new InvalidEventError(['routing_key: is not a Headroom integration key of kind changes or pagerduty'], HttpStatus.UNAUTHORIZED);
    let draft: ChangeDraft;
    try {
      draft = fromPagerDuty(parsed.data, key.name, this.clock.now());
    } catch (err) {
      if (err instanceof ChangeInputError) throw new InvalidEventError([err.message]);
      throw err;
    }
    await this.store(draft, { type: 'integration', id: key.id, name: key.name });
    return { status: 'success', message: 'Change event processed' };
  }

  /** Flagger's event webhook: kept when the canary's phase changed (Flagger sends every analysis step). */
  async reportFlagger(event: FlaggerEvent, actor: AuditActor): Promise<{ recorded: boolean; change: ChangeView | null }> {
    const draft = asValidation(() => fromFlagger(event, this.clock.now()));
    const [last] = await this.dataSource.query(
      `SELECT labels->>'phase' AS phase FROM changes WHERE source = 'flagger' AND service = $1 AND labels->>'namespace' = $2 ORDER BY at DESC, id DESC LIMIT 1`,
      [event.name, event.namespace],
    );
    if (!flaggerPhaseChanged(event, last?.phase ?? null)) return { recorded: false, change: null };
    return { recorded: true, change: await this.store(draft, actor) };
  }

  /** Records a change Headroom itself saw (an experiment started, ramped or stopped), in the caller's transaction. */
  recordIn(m: EntityManager, draft: ChangeDraft, actor: AuditActor): Promise<ChangeView> {
    return this.storeIn(m, draft, actor);
  }

  async list(q: ListQuery): Promise<{ items: ChangeView[]; total: number }> {
    const query = this.dataSource.getRepository(Change).createQueryBuilder('c');
    const f = q.filter;
    const allowed = { service: null, kind: CHANGE_KINDS, source: CHANGE_SOURCES } as const;
    for (const [field, choices] of Object.entries(allowed)) {
      if (f[field] === undefined) continue;
      const values = (Array.isArray(f[field]) ? f[field] : [f[field]]).map(String);
      if (choices && values.some((v) => !(choices as readonly string[]).includes(v))) {
        throw new ValidationError([{ field: `filter.${field}`, message: `must be one of ${choices.join(', ')}` }]);
      }
      query.andWhere(`c.${field} IN (:...${field})`, { [field]: values });
    }
    for (const [field, op] of [['since', '>='], ['until', '<']] as const) {
      if (f[field] === undefined) continue;
      const t = new Date(String(f[field]));
      if (Number.isNaN(t.getTime())) throw new ValidationError([{ field: `filter.${field}`, message: 'must be an ISO 8601 time' }]);
      query.andWhere(`c.at ${op} :${field}`, { [field]: t });
    }
    const [items, total] = await query.orderBy(`c.${q.sort.field}`, q.sort.order).addOrderBy('c.id', q.sort.order).skip(q.offset).take(q.limit).getManyAndCount();
    return { items, total };
  }

  private store(draft: ChangeDraft, actor: AuditActor): Promise<ChangeView> {
    return this.dataSource.transaction((m) => this.storeIn(m, draft, actor));
  }

  private async storeIn(m: EntityManager, draft: ChangeDraft, actor: AuditActor): Promise<ChangeView> {
    const saved = await m.save(m.create(Change, { ...draft, reportedBy: actor.name }));
    await this.audit.record(m, {
      at: this.clock.now(), actor, action: 'change.recorded', entityType: 'change', entityId: saved.id, before: null,
      after: { service: saved.service, kind: saved.kind, summary: saved.summary, version: saved.version, source: saved.source },
    });
    return saved;
  }
}

/** A mapping error as the API's 400 naming the field. */
function asValidation<T>(map: () => T): T {
  try {
    return map();
  } catch (err) {
    if (err instanceof ChangeInputError) throw new ValidationError([{ field: err.field, message: err.reason }]);
    throw err;
  }
}
