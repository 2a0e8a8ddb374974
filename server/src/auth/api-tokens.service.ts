import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AuditService, type AuditActor } from '../audit/audit.service';
import { NotFoundError, ValidationError } from '../common/errors';
import { ApiToken, type Role } from './api-token.entity';
import { User } from './user.entity';
import { generateToken, hashToken } from './token-hash';

export interface ApiTokenView {
  id: string;
  name: string;
  role: Role;
  ownerId: string | null;
  createdAt: Date;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

const view = (t: ApiToken): ApiTokenView => ({ id: t.id, name: t.name, role: t.role, ownerId: t.ownerId, createdAt: t.createdAt, expiresAt: t.expiresAt, lastUsedAt: t.lastUsedAt, revokedAt: t.revokedAt });

const RANK: Record<Role, number> = { viewer: 0, responder: 1, admin: 2 };

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

  /**
   * A token that acts for `ownerId` (a person; disabling them revokes it) with at most their
   * role, until `expiresAt` if given. Shown once; stored as a hash; audited.
   */
  async create(name: string, role: Role, actor: AuditActor, opts: { ownerId: string | null; expiresAt: Date | null }): Promise<ApiTokenView & { token: string }> {
    const token = generateToken();
    return this.dataSource.transaction(async (m) => {
      if (opts.ownerId) {
        const owner = await m.getRepository(User).findOneBy({ id: opts.ownerId });
        if (!owner || owner.disabledAt) throw new ValidationError([{ field: 'ownerId', message: owner ? 'that user is disabled' : 'no such user' }]);
        if (RANK[role] > RANK[owner.role]) throw new ValidationError([{ field: 'role', message: `must not exceed the owner's role (${owner.role})` }]);
      }
      const id = randomUUID();
      await m.getRepository(ApiToken).insert({ id, name, tokenHash: hashToken(token), role, ownerId: opts.ownerId, expiresAt: opts.expiresAt });
      const created = view(await m.getRepository(ApiToken).findOneByOrFail({ id }));
      await this.audit.record(m, { at: new Date(), actor, action: 'api_token.created', entityType: 'api_token', entityId: id, after: { name, role, ownerId: opts.ownerId, expiresAt: opts.expiresAt } });
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
