import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { NotFoundError, ValidationError } from '../common/errors';
import type { ListQuery } from '../common/pagination';
import { AuditEntry } from './audit-entry.entity';

/** Who made a change; the same shape as an incident timeline actor. */
export interface AuditActor {
  type: string;
  id: string | null;
  name: string;
}

export interface AuditDraft {
  at: Date;
  actor: AuditActor;
  action: string;
  entityType: string;
  entityId: string | number;
  before?: Record<string, unknown> | null;
  after?: Record<string, unknown> | null;
}

export const AUDIT_SORTABLE = ['id', 'at', 'action', 'entityType', 'actorName'] as const;

/**
 * Writes the audit log inside the caller's transaction (pass its EntityManager), so a change
 * and its audit row commit or roll back together.
 */
@Injectable()
export class AuditService {
  constructor(private readonly dataSource?: DataSource) {}

  async record(m: EntityManager, drafts: AuditDraft | AuditDraft[]): Promise<void> {
    const list = Array.isArray(drafts) ? drafts : [drafts];
    if (list.length === 0) return;
    const rows = list.map((d) => ({
      at: d.at.toISOString(),
      actor_type: d.actor.type,
      actor_id: d.actor.id,
      actor_name: d.actor.name,
      action: d.action,
      entity_type: d.entityType,
      entity_id: String(d.entityId),
      before: d.before ?? null,
      after: d.after ?? null,
    }));
    await m.query(
      `INSERT INTO audit_log (at, actor_type, actor_id, actor_name, action, entity_type, entity_id, before, after)
       SELECT at, actor_type, actor_id, actor_name, action, entity_type, entity_id, before, after
       FROM jsonb_to_recordset($1::jsonb) AS x(at timestamptz, actor_type text, actor_id text, actor_name text, action text,
                                               entity_type text, entity_id text, before jsonb, after jsonb)`,
      [JSON.stringify(rows)],
    );
  }

  private get ds(): DataSource {
    if (!this.dataSource) throw new Error('AuditService was built without a DataSource; it can only record');
    return this.dataSource;
  }

  async get(id: number): Promise<AuditEntry> {
    const found = await this.ds.getRepository(AuditEntry).findOneBy({ id });
    if (!found) throw new NotFoundError('audit entry', id);
    return found;
  }

  /**
   * react-admin filters: `action`, `entityType`, `entityId`, `actorType`, `actorName` (one value
   * or a list), `at_gte` / `at_lte` (ISO times), `q` (text in the action, entity or actor).
   */
  async list(q: ListQuery): Promise<{ items: AuditEntry[]; total: number }> {
    const qb = this.ds.getRepository(AuditEntry).createQueryBuilder('a');
    const f = q.filter;
    const columns: Record<string, string> = { action: 'a.action', entityType: 'a.entity_type', entityId: 'a.entity_id', actorType: 'a.actor_type', actorName: 'a.actor_name' };
    for (const [key, column] of Object.entries(columns)) {
      const v = f[key];
      if (v === undefined) continue;
      if (Array.isArray(v)) qb.andWhere(`${column} IN (:...${key})`, { [key]: v.map(String) });
      else qb.andWhere(`${column} = :${key}`, { [key]: String(v) });
    }
    if (f.id !== undefined) qb.andWhere('a.id IN (:...ids)', { ids: (Array.isArray(f.id) ? f.id : [f.id]).map(Number) });
    const time = (key: string) => {
      const v = f[key];
      if (v === undefined) return undefined;
      const d = new Date(String(v));
      if (Number.isNaN(d.getTime())) throw new ValidationError([{ field: `filter.${key}`, message: 'must be an ISO time' }]);
      return d.toISOString();
    };
    const from = time('at_gte');
    const to = time('at_lte');
    if (from) qb.andWhere('a.at >= :from', { from });
    if (to) qb.andWhere('a.at <= :to', { to });
    if (typeof f.q === 'string' && f.q.trim()) {
      const like = `%${f.q.trim().replace(/[%_\\]/g, '\\$&')}%`;
      qb.andWhere('(a.action ILIKE :like OR a.entity_type ILIKE :like OR a.entity_id ILIKE :like OR a.actor_name ILIKE :like)', { like });
    }
    const sortColumn: Record<string, string> = { id: 'a.id', at: 'a.at', action: 'a.action', entityType: 'a.entity_type', actorName: 'a.actor_name' };
    qb.orderBy(sortColumn[q.sort.field] ?? 'a.id', q.sort.order);
    if (q.sort.field !== 'id') qb.addOrderBy('a.id', 'DESC');
    const [items, total] = await qb.skip(q.offset).take(q.limit).getManyAndCount();
    return { items, total };
  }
}
