import { Inject, Injectable } from '@nestjs/common';
import { DataSource, IsNull, type EntityManager } from 'typeorm';
import { AuditService, type AuditActor } from '../audit/audit.service';
import { CLOCK, type Clock } from '../common/clock';
import { LOGGER, type Logger } from '../common/logger';
import { APP_CONFIG, type AppConfig } from '../config/config';
import type { Role } from './api-token.entity';
import { SLACK_DIRECTORY, type SlackDirectory } from './slack-directory';
import { User } from './user.entity';

/** The Headroom user behind a Slack account. */
export interface SlackLinkedUser {
  id: string;
  email: string;
  name: string;
  role: Role;
}

/** Who clicked (or typed a command) in Slack, and whether Headroom lets them act on incidents. */
export interface SlackAuthorization {
  /** Timeline and audit actor: the Slack user id, named as the Headroom user (or as Slack names them). */
  actor: { type: 'slack'; id: string; name: string };
  user: SlackLinkedUser | null;
  allowed: boolean;
  /** Why not, said to the person (null when allowed). */
  refusal: string | null;
}

/** Audit actor of a Slack id stored after a look-up (nobody typed it). */
export const SLACK_LOOKUP_ACTOR: AuditActor = { type: 'system', id: null, name: 'Slack user lookup' };

const ACTING_ROLES: readonly Role[] = ['responder', 'admin'];

/**
 * One place that maps Slack accounts to Headroom users and says who may act from Slack.
 *
 * - Slack → Headroom: by `users.slack_user_id`; failing that, by the Slack profile email
 *   (`users.info`) matched to an active user, whose Slack id is then stored (audited).
 * - Headroom → Slack (`slackIdFor`): a user without a Slack id is looked up by email
 *   (`users.lookupByEmail`) and the id stored the same way.
 *
 * Slack answers are cached for a minute (a busy incident means many clicks); a Slack error
 * (missing_scope, network…) is logged and treated as "unknown", never thrown.
 * Responders and admins may act, and so may the Slack ids in HEADROOM_SLACK_RESPONDERS.
 */
@Injectable()
export class SlackIdentityService {
  /** How long a Slack answer (including "no such user") is reused. */
  cacheTtlMs = 60_000;
  /** Wall time for the cache (a look-up is about real minutes, not the scaled evaluation clock). */
  wallNow: () => number = Date.now;
  private readonly cache = new Map<string, { value: string | null; until: number }>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: Logger,
    /** Null when Slack is not configured (AuthModule provides it either way): every look-up is then "unknown". */
    @Inject(SLACK_DIRECTORY) private readonly directory: SlackDirectory | null,
  ) {}

  /** The active Headroom user for a Slack account, or null when there is none (or Slack cannot say). */
  async userFor(slackUserId: string): Promise<SlackLinkedUser | null> {
    const repo = this.dataSource.getRepository(User);
    const linked = await repo.findOneBy({ slackUserId, disabledAt: IsNull() });
    if (linked) return linkedView(linked);
    const email = await this.cached(`email-of:${slackUserId}`, (d) => d.emailOf(slackUserId));
    if (!email) return null;
    const byEmail = await repo.createQueryBuilder('u').where('u.email = lower(:email) AND u.disabled_at IS NULL', { email: email.trim() }).getOne();
    if (!byEmail) return null;
    if (byEmail.slackUserId && byEmail.slackUserId !== slackUserId) {
      // Someone set a different Slack id on purpose; an email match does not overrule that.
      this.logger.warn({ slackUserId, user: byEmail.email, stored: byEmail.slackUserId }, 'slack user matches a Headroom user by email who has another Slack id; not linked');
      return null;
    }
    await this.storeSlackId(byEmail, slackUserId);
    return linkedView(byEmail);
  }

  /** Whether this Slack user may acknowledge, resolve, escalate, snooze (or approve a rollback). */
  async authorize(slackUserId: string, slackName: string): Promise<SlackAuthorization> {
    const user = await this.userFor(slackUserId);
    const actor = { type: 'slack' as const, id: slackUserId, name: user?.name ?? slackName };
    if (this.config.slackResponders.includes(slackUserId) || (user && ACTING_ROLES.includes(user.role))) {
      return { actor, user, allowed: true, refusal: null };
    }
    const refusal = user
      ? `your Headroom role is ${user.role}; only responders and admins may act on incidents`
      : `your Slack account is not linked to a Headroom user; ask an admin to add you on the People page (with your Slack email or Slack user id ${slackUserId})`;
    return { actor, user, allowed: false, refusal };
  }

  /**
   * The Slack user id to message this person at: the stored one, or one looked up by email and
   * then stored (audited). Null when Slack does not know the email or cannot be asked.
   * Inside a transaction pass its manager (the id is stored in it; on PGlite another
   * connection would wait for that transaction forever).
   */
  async slackIdFor(user: { id: string; email: string; slackUserId: string | null }, m?: EntityManager): Promise<string | null> {
    if (user.slackUserId) return user.slackUserId;
    const found = await this.cached(`id-for:${user.email.toLowerCase()}`, (d) => d.idForEmail(user.email));
    if (found) await this.storeSlackId(user, found, m);
    return found;
  }

  private async cached(key: string, ask: (d: SlackDirectory) => Promise<string | null>): Promise<string | null> {
    if (!this.directory) return null;
    const now = this.wallNow();
    const hit = this.cache.get(key);
    if (hit && hit.until > now) return hit.value;
    let value: string | null;
    try {
      value = await ask(this.directory);
    } catch (err) {
      const e = err as { data?: { error?: string }; message?: string };
      this.logger.warn({ lookup: key, reason: e.data?.error ?? e.message }, 'slack user lookup failed; treated as unknown');
      value = null;
    }
    if (this.cache.size > 1_000) for (const [k, v] of this.cache) if (v.until <= now) this.cache.delete(k);
    this.cache.set(key, { value, until: now + this.cacheTtlMs });
    return value;
  }

  /** Only fills an empty Slack id, so a look-up never overwrites one a person set. */
  private async storeSlackId(user: { id: string; email: string }, slackUserId: string, m?: EntityManager): Promise<void> {
    const write = async (em: EntityManager) => {
      const { affected } = await em.getRepository(User).update({ id: user.id, slackUserId: IsNull() }, { slackUserId });
      if (!affected) return;
      await this.audit.record(em, {
        at: this.clock.now(), actor: SLACK_LOOKUP_ACTOR, action: 'user.updated', entityType: 'user', entityId: user.id,
        before: { slackUserId: null }, after: { slackUserId },
      });
      this.logger.info({ user: user.email, slackUserId }, 'slack user id found by email and stored');
    };
    if (m) await write(m);
    else await this.dataSource.transaction(write);
  }
}

function linkedView(u: User): SlackLinkedUser {
  return { id: u.id, email: u.email, name: u.name, role: u.role };
}
