import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditService, type AuditActor } from '../audit/audit.service';
import { CLOCK, type Clock } from '../common/clock';
import { ConflictError, NotFoundError } from '../common/errors';
import { LOGGER, type Logger } from '../common/logger';
import type { ListQuery } from '../common/pagination';
import { APP_CONFIG, type AppConfig } from '../config/config';
import type { Role } from './api-token.entity';
import type { Principal } from './auth.decorators';
import { hashPassword, needsRehash, verifyAgainstNothing, verifyPassword } from './password';
import { generateToken, hashToken } from './token-hash';
import { UserSession } from './user-session.entity';
import { User } from './user.entity';

export interface UserInput {
  email: string;
  name: string;
  role: Role;
  timeZone?: string;
  slackUserId?: string | null;
  password?: string;
}

export type UserChanges = Partial<Omit<UserInput, 'email'>> & { disabled?: boolean };

/** What the API shows of a user (never the password hash). */
export type UserView = Omit<User, 'passwordHash'>;

export const USER_SORTABLE = ['name', 'email', 'role', 'createdAt'] as const;

const view = (u: User): UserView => ({
  id: u.id,
  email: u.email,
  name: u.name,
  role: u.role,
  timeZone: u.timeZone,
  slackUserId: u.slackUserId,
  createdAt: u.createdAt,
  disabledAt: u.disabledAt,
});

const auditable = (u: UserView) => ({ email: u.email, name: u.name, role: u.role, timeZone: u.timeZone, slackUserId: u.slackUserId, disabledAt: u.disabledAt });

/** Users, their passwords and console sessions. Every change is audited in its own transaction. */
@Injectable()
export class UsersService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /**
   * The first admin, from HEADROOM_ADMIN_EMAIL and HEADROOM_ADMIN_PASSWORD: created when no user
   * has that email (an existing user is left as it is, so a changed password is never reset).
   */
  async ensureFirstAdmin(): Promise<void> {
    const { adminEmail, adminPassword } = this.config;
    if (!adminEmail || !adminPassword) return;
    const existing = await this.dataSource.getRepository(User).findOneBy({ email: adminEmail.toLowerCase() });
    if (existing) return;
    await this.create({ email: adminEmail, name: adminEmail.split('@')[0], role: 'admin', password: adminPassword }, { type: 'system', id: null, name: 'first start' });
    this.logger.info({ email: adminEmail }, 'first admin user created from HEADROOM_ADMIN_EMAIL');
  }

  async list(q: ListQuery): Promise<{ items: UserView[]; total: number }> {
    const qb = this.dataSource.getRepository(User).createQueryBuilder('u');
    const f = q.filter;
    if (typeof f.q === 'string' && f.q.trim()) {
      qb.andWhere('(u.name ILIKE :q OR u.email ILIKE :q)', { q: `%${f.q.trim().replace(/[%_\\]/g, '\\$&')}%` });
    }
    if (f.role !== undefined) qb.andWhere('u.role IN (:...roles)', { roles: [f.role].flat().map(String) });
    if (f.id !== undefined) qb.andWhere('u.id IN (:...ids)', { ids: [f.id].flat().map(String) });
    if (f.disabled === false) qb.andWhere('u.disabled_at IS NULL');
    const [items, total] = await qb.orderBy(`u.${q.sort.field}`, q.sort.order).addOrderBy('u.id').skip(q.offset).take(q.limit).getManyAndCount();
    return { items: items.map(view), total };
  }

  async get(id: string): Promise<UserView> {
    const u = await this.dataSource.getRepository(User).findOneBy({ id });
    if (!u) throw new NotFoundError('user', id);
    return view(u);
  }

  async create(input: UserInput, actor: AuditActor): Promise<UserView> {
    const email = input.email.trim().toLowerCase();
    const passwordHash = input.password ? await hashPassword(input.password) : null;
    return this.dataSource.transaction(async (m) => {
      const taken = await m.getRepository(User).findOneBy({ email });
      if (taken) throw new ConflictError(`a user with email ${email} already exists`);
      const user = m.getRepository(User).create({
        id: randomUUID(),
        email,
        name: input.name.trim(),
        role: input.role,
        timeZone: input.timeZone ?? 'UTC',
        slackUserId: input.slackUserId ?? null,
        passwordHash,
        disabledAt: null,
      });
      await m.getRepository(User).insert(user);
      const created = view((await m.getRepository(User).findOneByOrFail({ id: user.id })));
      await this.audit.record(m, { at: this.clock.now(), actor, action: 'user.created', entityType: 'user', entityId: user.id, after: auditable(created) });
      return created;
    });
  }

  async update(id: string, changes: UserChanges, actor: AuditActor): Promise<UserView> {
    const passwordHash = changes.password ? await hashPassword(changes.password) : undefined;
    return this.dataSource.transaction(async (m) => {
      const repo = m.getRepository(User);
      const before = await repo.createQueryBuilder('u').where('u.id = :id', { id }).setLock('pessimistic_write').getOne();
      if (!before) throw new NotFoundError('user', id);
      if (changes.role && changes.role !== 'admin' && before.role === 'admin') await this.keepAnAdmin(m, id);
      if (changes.disabled === true && before.role === 'admin') await this.keepAnAdmin(m, id);
      const patch: Partial<User> = {};
      if (changes.name !== undefined) patch.name = changes.name.trim();
      if (changes.role !== undefined) patch.role = changes.role;
      if (changes.timeZone !== undefined) patch.timeZone = changes.timeZone;
      if (changes.slackUserId !== undefined) patch.slackUserId = changes.slackUserId;
      if (passwordHash) patch.passwordHash = passwordHash;
      if (changes.disabled !== undefined) patch.disabledAt = changes.disabled ? (before.disabledAt ?? this.clock.now()) : null;
      if (Object.keys(patch).length > 0) await repo.update({ id }, patch);
      // A new password, a lower role or disabling ends every session: sign in again.
      if (passwordHash || changes.disabled === true || (changes.role && changes.role !== before.role)) {
        await m.getRepository(UserSession).delete({ userId: id });
      }
      // Disabling someone also revokes the API tokens that act for them.
      if (changes.disabled === true) {
        await m.query(`UPDATE api_tokens SET revoked_at = now() WHERE owner_id = $1 AND revoked_at IS NULL`, [id]);
      }
      const after = view(await repo.findOneByOrFail({ id }));
      await this.audit.record(m, {
        at: this.clock.now(),
        actor,
        action: passwordHash ? 'user.updated (password changed)' : 'user.updated',
        entityType: 'user',
        entityId: id,
        before: auditable(view(before)),
        after: auditable(after),
      });
      return after;
    });
  }

  /** Refuses a change that would leave no enabled admin (nobody could manage users again). */
  private async keepAnAdmin(m: EntityManager, losing: string): Promise<void> {
    const [{ n }] = await m.query(`SELECT count(*)::int AS n FROM users WHERE role = 'admin' AND disabled_at IS NULL AND id <> $1`, [losing]);
    if (Number(n) === 0) throw new ConflictError('this is the last enabled admin; make another user admin first');
  }

  /** The user for an email and password, or null (same time spent for an unknown email). */
  async checkPassword(email: string, password: string): Promise<User | null> {
    const user = await this.dataSource
      .getRepository(User)
      .createQueryBuilder('u')
      .addSelect('u.passwordHash')
      .where('u.email = :email', { email: email.trim().toLowerCase() })
      .getOne();
    if (!user || !user.passwordHash || user.disabledAt) {
      await verifyAgainstNothing(password);
      return null;
    }
    if (!(await verifyPassword(password, user.passwordHash))) return null;
    // A hash made with older (weaker) parameters is replaced while the password is at hand.
    if (needsRehash(user.passwordHash)) await this.dataSource.getRepository(User).update({ id: user.id }, { passwordHash: await hashPassword(password) });
    return user;
  }

  async startSession(user: User): Promise<{ token: string; expiresAt: Date }> {
    const token = generateToken('hs');
    // Wall-clock time, not the (possibly time-scaled) evaluation clock: a session lasts real hours.
    const expiresAt = new Date(Date.now() + this.config.sessionHours * 3_600_000);
    await this.dataSource.getRepository(UserSession).insert({ id: randomUUID(), userId: user.id, tokenHash: hashToken(token), expiresAt });
    // Expired sessions of this user go now; nobody else's are touched on a sign-in.
    await this.dataSource.query(`DELETE FROM user_sessions WHERE user_id = $1 AND expires_at < now()`, [user.id]);
    return { token, expiresAt };
  }

  async endSession(token: string): Promise<void> {
    await this.dataSource.getRepository(UserSession).delete({ tokenHash: hashToken(token) });
  }

  /** The signed-in user for a session cookie, or null when unknown, expired or disabled. */
  async principalForSession(token: string): Promise<Principal | null> {
    const [row] = await this.dataSource.query(
      `SELECT u.id, u.name, u.email, u.role FROM user_sessions s JOIN users u ON u.id = s.user_id
       WHERE s.token_hash = $1 AND s.expires_at > now() AND u.disabled_at IS NULL`,
      [hashToken(token)],
    );
    return row ? { id: row.id, name: row.name, email: row.email, role: row.role, kind: 'user' } : null;
  }
}
