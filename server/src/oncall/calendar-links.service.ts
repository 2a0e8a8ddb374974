import { ForbiddenException, Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, IsNull } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import type { Principal } from '../auth/auth.decorators';
import { UserStore } from '../auth/user-store';
import { generateToken, hashToken } from '../auth/token-hash';
import { CLOCK, type Clock } from '../common/clock';
import { NotFoundError } from '../common/errors';
import { APP_CONFIG, type AppConfig } from '../config/config';
import type { Actor } from '../incidents/actor';
import { CalendarLink, type CalendarLinkKind } from './calendar-link.entity';
import { OncallService } from './oncall.service';

/** A link as the API shows it: never the token (only its creation answer carries the URL). */
export interface CalendarLinkView {
  kind: CalendarLinkKind;
  target: string;
  createdBy: string;
  createdAt: Date;
}

const view = (l: CalendarLink): CalendarLinkView => ({ kind: l.kind, target: l.target, createdBy: l.createdBy, createdAt: l.createdAt });

/**
 * A person's calendar link is theirs: a responder makes or revokes only their own (a feed of
 * someone else's shifts is theirs to hand out), an admin anyone's. Schedule links are shared.
 */
function assertMayManage(kind: CalendarLinkKind, target: string, principal: Principal | undefined): void {
  if (kind !== 'user' || !principal || principal.role === 'admin') return;
  if (principal.kind === 'user' && principal.id === target) return;
  throw new ForbiddenException('a responder may make or revoke a calendar link only for themselves (an admin for anyone)');
}

/**
 * Secret calendar feed URLs (`/calendar/<token>.ics`) for calendar apps, which cannot send a
 * bearer token. The token is 32 random bytes shown once; only its SHA-256 is stored (as for API
 * tokens). Creating a link for a calendar that has one rotates it: the old URL stops working.
 */
@Injectable()
export class CalendarLinksService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly oncall: OncallService,
    private readonly users: UserStore,
    private readonly audit: AuditService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** The active link of a calendar (without its URL), or null. */
  async get(kind: CalendarLinkKind, target: string): Promise<CalendarLinkView | null> {
    await this.assertExists(kind, target);
    const link = await this.dataSource.getRepository(CalendarLink).findOneBy({ kind, target, revokedAt: IsNull() });
    return link ? view(link) : null;
  }

  /** A new secret URL for the calendar, revoking the one it had; the URL is in this answer only. */
  async create(kind: CalendarLinkKind, target: string, actor: Actor, principal?: Principal): Promise<CalendarLinkView & { url: string; rotated: boolean }> {
    await this.assertExists(kind, target);
    assertMayManage(kind, target, principal);
    const token = generateToken('hc');
    return this.dataSource.transaction(async (m) => {
      const repo = m.getRepository(CalendarLink);
      const at = this.clock.now();
      const { affected } = await repo.update({ kind, target, revokedAt: IsNull() }, { revokedAt: at });
      const id = randomUUID();
      await repo.insert({ id, kind, target, tokenHash: hashToken(token), createdBy: actor.name, revokedAt: null });
      const created = await repo.findOneByOrFail({ id });
      const rotated = Boolean(affected);
      await this.audit.record(m, {
        at, actor, action: rotated ? 'calendar_link.rotated' : 'calendar_link.created', entityType: kind, entityId: target, before: null, after: { linkId: id },
      });
      return { ...view(created), url: `${this.config.publicUrl}/calendar/${token}.ics`, rotated };
    });
  }

  /** The calendar's secret URL stops working; 404 when it has none. */
  async revoke(kind: CalendarLinkKind, target: string, actor: Actor, principal?: Principal): Promise<void> {
    assertMayManage(kind, target, principal);
    await this.dataSource.transaction(async (m) => {
      const at = this.clock.now();
      const found = await m.getRepository(CalendarLink).findOneBy({ kind, target, revokedAt: IsNull() });
      if (!found) throw new NotFoundError(`calendar link of ${kind}`, target);
      await m.getRepository(CalendarLink).update({ id: found.id }, { revokedAt: at });
      await this.audit.record(m, { at, actor, action: 'calendar_link.revoked', entityType: kind, entityId: target, before: { linkId: found.id }, after: null });
    });
  }

  /** The iCalendar feed for a secret token; 404 for an unknown or revoked one (nothing tells them apart). */
  async feed(token: string): Promise<string> {
    const link = await this.dataSource.getRepository(CalendarLink).findOneBy({ tokenHash: hashToken(token), revokedAt: IsNull() });
    if (!link) throw new NotFoundError('calendar', 'link');
    // A disabled person's feed stops with them (the same 404: nothing tells the cases apart).
    if (link.kind === 'user') {
      const user = await this.users.byId(link.target);
      if (!user?.active) throw new NotFoundError('calendar', 'link');
    }
    return link.kind === 'schedule' ? this.oncall.scheduleCalendar(link.target) : this.oncall.userCalendar(link.target);
  }

  private async assertExists(kind: CalendarLinkKind, target: string): Promise<void> {
    if (kind === 'schedule') {
      if (!this.oncall.scheduleIds().includes(target)) throw new NotFoundError('schedule', target);
      return;
    }
    if (!(await this.users.byId(target))) throw new NotFoundError('user', target);
  }
}
