import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, IsNull, Not } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { LOGGER, type Logger } from '../common/logger';
import { ApiToken, type Role } from './api-token.entity';
import type { Principal } from './auth.decorators';
import { generateToken, hashToken } from './token-hash';

const ROLE_RANK: Record<Role, number> = { viewer: 0, responder: 1, admin: 2 };

export function roleAllows(actual: Role, required: Role): boolean {
  return ROLE_RANK[actual] >= ROLE_RANK[required];
}

@Injectable()
export class AuthService {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly audit: AuditService,
  ) {}

  /**
   * Makes sure an admin can get in: the token from HEADROOM_ADMIN_TOKEN is registered, or,
   * when no admin token exists yet, one is generated and printed once. Only hashes are stored.
   * Returns the generated token (undefined when none was generated).
   */
  async ensureAdminToken(): Promise<string | undefined> {
    const repo = this.dataSource.getRepository(ApiToken);
    if (this.config.adminToken) {
      const tokenHash = hashToken(this.config.adminToken);
      // A revoked token stays revoked: a restart with the same environment must not undo it.
      await this.dataSource.query(
        `INSERT INTO api_tokens (id, name, token_hash, role) VALUES ($1, 'admin (HEADROOM_ADMIN_TOKEN)', $2, 'admin')
         ON CONFLICT (token_hash) DO NOTHING`,
        [randomUUID(), tokenHash],
      );
      const revoked = await repo.findOneBy({ tokenHash, revokedAt: Not(IsNull()) });
      if (revoked) this.logger.warn({ revokedAt: revoked.revokedAt }, 'HEADROOM_ADMIN_TOKEN was revoked; it is ignored (set a new one to get an admin token from the environment)');
      return undefined;
    }
    const existing = await repo.countBy({ role: 'admin', revokedAt: IsNull() });
    if (existing > 0) return undefined;
    const token = generateToken();
    await repo.insert({ id: randomUUID(), name: 'admin (generated at first start)', tokenHash: hashToken(token), role: 'admin' });
    return token;
  }

  async createToken(name: string, role: Role): Promise<{ token: string; id: string }> {
    const token = generateToken();
    const id = randomUUID();
    await this.dataSource.getRepository(ApiToken).insert({ id, name, tokenHash: hashToken(token), role });
    return { token, id };
  }

  /**
   * The principal of a bearer token: refused once revoked, expired, or its owner disabled. When
   * it was used is written at most once a minute (a busy script would otherwise write a row
   * per request).
   */
  async authenticate(token: string): Promise<Principal | null> {
    const [found]: Array<{ id: string; name: string; role: Role; recently_used: boolean }> = await this.dataSource.query(
      `SELECT t.id, t.name, t.role, coalesce(t.last_used_at > now() - interval '1 minute', false) AS recently_used
       FROM api_tokens t LEFT JOIN users u ON u.id = t.owner_id
       WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > now())
         AND (t.owner_id IS NULL OR u.disabled_at IS NULL)`,
      [hashToken(token)],
    );
    if (!found) return null;
    // Use is recorded (lastUsedAt, and the audit log) at most once a minute per token.
    if (!found.recently_used) {
      await this.dataSource.transaction(async (m) => {
        await m.query(`UPDATE api_tokens SET last_used_at = now() WHERE id = $1`, [found.id]);
        await this.audit.record(m, { at: new Date(), actor: { type: 'user', id: found.id, name: found.name }, action: 'api_token.used', entityType: 'api_token', entityId: found.id });
      });
    }
    return { id: found.id, name: found.name, role: found.role, kind: 'token' };
  }

  logGeneratedToken(token: string): void {
    this.logger.warn('An admin API token was generated. It is shown once; keep it somewhere safe.');
    process.stdout.write(`\n  Admin API token (shown once): ${token}\n\n`);
  }
}
