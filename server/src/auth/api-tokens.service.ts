import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AuditService, type AuditActor } from '../audit/audit.service';
import { NotFoundError } from '../common/errors';
import { ApiToken, type Role } from './api-token.entity';
import { generateToken, hashToken } from './token-hash';

export interface ApiTokenView {
  id: string;
  name: string;
  role: Role;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

const view = (t: ApiToken): ApiTokenView => ({ id: t.id, name: t.name, role: t.role, createdAt: t.createdAt, lastUsedAt: t.lastUsedAt, revokedAt: t.revokedAt });

/** API tokens managed by admins: shown once at creation, stored as a hash, revocable; audited. */
@Injectable()
export class ApiTokensService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  async list(): Promise<ApiTokenView[]> {
    return (await this.dataSource.getRepository(ApiToken).find({ order: { createdAt: 'DESC' } })).map(view);
  }

  async create(name: string, role: Role, actor: AuditActor): Promise<ApiTokenView & { token: string }> {
    const token = generateToken();
    return this.dataSource.transaction(async (m) => {
      const id = randomUUID();
      await m.getRepository(ApiToken).insert({ id, name, tokenHash: hashToken(token), role });
      const created = view(await m.getRepository(ApiToken).findOneByOrFail({ id }));
      await this.audit.record(m, { at: new Date(), actor, action: 'api_token.created', entityType: 'api_token', entityId: id, after: { name, role } });
      return { ...created, token };
    });
  }

  async revoke(id: string, actor: AuditActor): Promise<ApiTokenView> {
    return this.dataSource.transaction(async (m) => {
      const repo = m.getRepository(ApiToken);
      const found = await repo.findOneBy({ id });
      if (!found) throw new NotFoundError('API token', id);
      if (!found.revokedAt) {
        found.revokedAt = new Date();
        await repo.update({ id }, { revokedAt: found.revokedAt });
        await this.audit.record(m, { at: found.revokedAt, actor, action: 'api_token.revoked', entityType: 'api_token', entityId: id, before: { name: found.name, role: found.role } });
      }
      return view(found);
    });
  }
}
