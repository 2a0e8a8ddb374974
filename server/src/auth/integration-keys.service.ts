import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, IsNull, Not } from 'typeorm';
import { AuditService, type AuditActor } from '../audit/audit.service';
import { NotFoundError } from '../common/errors';
import { LOGGER, type Logger } from '../common/logger';
import { IntegrationKey, type IntegrationKind } from './integration-key.entity';
import { generateToken, hashToken } from './token-hash';

export interface IntegrationKeyView {
  id: string;
  name: string;
  kind: IntegrationKind;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

const view = (k: IntegrationKey): IntegrationKeyView => ({
  id: k.id, name: k.name, kind: k.kind, createdAt: k.createdAt, lastUsedAt: k.lastUsedAt, revokedAt: k.revokedAt,
});

/**
 * How long a verified key is trusted before the database is asked again. Integration endpoints
 * take many small requests (an Alertmanager re-sends every group each group_interval); without
 * this each one costs a query. A revocation here takes effect at once; one made by another
 * process sharing the database, within this time.
 */
const VERIFIED_KEY_TTL_MS = 5_000;
const MAX_VERIFIED_KEYS = 1_000;

@Injectable()
export class IntegrationKeysService {
  private readonly verified = new Map<string, { key: IntegrationKeyView; until: number }>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** Creates a key and returns it once; afterwards only its hash exists. Audited. */
  async create(name: string, kind: IntegrationKind, actor: AuditActor, key = generateToken(`hk_${kind}`)): Promise<IntegrationKeyView & { key: string }> {
    return this.dataSource.transaction(async (m) => {
      const id = randomUUID();
      await m.getRepository(IntegrationKey).insert({ id, name, kind, keyHash: hashToken(key) });
      const saved = await m.getRepository(IntegrationKey).findOneByOrFail({ id });
      await this.audit.record(m, { at: new Date(), actor, action: 'integration_key.created', entityType: 'integration_key', entityId: id, after: { name, kind } });
      return { ...view(saved), key };
    });
  }

  /**
   * Registers a key given in configuration (idempotent), for automated set-ups. A key revoked
   * since stays revoked (a restart with the same environment must not undo a revocation); the
   * log says it is ignored.
   */
  async provision(name: string, kind: IntegrationKind, key: string): Promise<void> {
    const keyHash = hashToken(key);
    await this.dataSource.query(
      `INSERT INTO integration_keys (id, name, kind, key_hash) VALUES ($1, $2, $3, $4)
       ON CONFLICT (key_hash) DO UPDATE SET name = EXCLUDED.name, kind = EXCLUDED.kind`,
      [randomUUID(), name, kind, keyHash],
    );
    this.verified.clear();
    const revoked = await this.dataSource.getRepository(IntegrationKey).findOneBy({ keyHash, revokedAt: Not(IsNull()) });
    if (revoked) this.logger.warn({ name, kind, revokedAt: revoked.revokedAt }, `integration key ${name} from HEADROOM_INTEGRATION_KEYS was revoked; it is ignored (configure a new key)`);
  }

  async list(): Promise<IntegrationKeyView[]> {
    return (await this.dataSource.getRepository(IntegrationKey).find({ order: { createdAt: 'DESC' } })).map(view);
  }

  async revoke(id: string, actor: AuditActor): Promise<IntegrationKeyView> {
    return this.dataSource.transaction(async (m) => {
      const repo = m.getRepository(IntegrationKey);
      const key = await repo.findOneBy({ id });
      if (!key) throw new NotFoundError('integration key', id);
      if (!key.revokedAt) {
        key.revokedAt = new Date();
        await repo.update({ id }, { revokedAt: key.revokedAt });
        await this.audit.record(m, { at: key.revokedAt, actor, action: 'integration_key.revoked', entityType: 'integration_key', entityId: id, before: { name: key.name, kind: key.kind } });
      }
      return view(key);
    }).finally(() => this.verified.clear());
  }

  /** The key's record when it is valid for `kind`, else null. */
  async verify(key: string, kind: IntegrationKind): Promise<IntegrationKeyView | null> {
    const hash = hashToken(key);
    const cacheKey = `${kind}:${hash}`;
    const now = performance.now();
    const hit = this.verified.get(cacheKey);
    if (hit && hit.until > now) return hit.key;
    const found = await this.dataSource.getRepository(IntegrationKey).findOneBy({ keyHash: hash, kind, revokedAt: IsNull() });
    if (!found) {
      this.verified.delete(cacheKey);
      return null;
    }
    if (this.verified.size >= MAX_VERIFIED_KEYS) this.verified.clear();
    this.verified.set(cacheKey, { key: view(found), until: now + VERIFIED_KEY_TTL_MS });
    return view(found);
  }
}
