import { Body, Controller, Delete, Get, Header, HttpCode, Param, ParseIntPipe, ParseUUIDPipe, Post, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { z } from 'zod';
import { CurrentPrincipal, Public, RequireRole, type Principal } from '../auth/auth.decorators';
import { pageInMemory, parseListQuery, setContentRange } from '../common/pagination';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { actorOf } from '../incidents/principal-actor';
import { SanitizePipe } from '../common/text-sanitizer';
import { CalendarLinksService } from './calendar-links.service';
import { EscalationEngine } from './escalation-engine';
import { OncallService } from './oncall.service';

const overrideSchema = z.strictObject({
  user: z.email('must be the email address of a Headroom user').max(320),
  start: z.iso.datetime({ offset: true, error: 'must be an ISO time with an offset, e.g. 2026-12-24T18:00:00Z' }),
  end: z.iso.datetime({ offset: true, error: 'must be an ISO time with an offset, e.g. 2026-12-25T09:00:00Z' }),
});

const rangeSchema = z.object({ from: z.string().optional(), to: z.string().optional() });

/** On-call schedules (alerts/*.yaml plus overrides made here), who is on call, iCal feeds. */
@Controller('api/schedules')
export class SchedulesController {
  constructor(
    private readonly oncall: OncallService,
    private readonly links: CalendarLinksService,
  ) {}

  @Get()
  async list(@Query() query: Record<string, unknown>, @Res({ passthrough: true }) res: Response) {
    const q = parseListQuery(query, ['id', 'name', 'timeZone'], { field: 'id', order: 'ASC' });
    const all = await this.oncall.list();
    const ids = q.filter.id === undefined ? null : new Set([q.filter.id].flat().map(String));
    const items = ids ? all.filter((s) => ids.has(String(s.id))) : all;
    setContentRange(res, 'schedules', q, Math.min(q.limit, Math.max(0, items.length - q.offset)), items.length);
    return pageInMemory(items, q);
  }

  @Get(':id')
  detail(@Param('id') id: string, @Query(new ZodValidationPipe(rangeSchema)) q: z.infer<typeof rangeSchema>) {
    return this.oncall.detail(id, q.from, q.to);
  }

  @Get(':id/calendar.ics')
  @Header('content-type', 'text/calendar; charset=utf-8')
  calendar(@Param('id') id: string) {
    return this.oncall.scheduleCalendar(id);
  }

  /** Whether the schedule has a secret feed URL (never the URL itself). */
  @Get(':id/calendar-link')
  async calendarLink(@Param('id') id: string) {
    return { link: await this.links.get('schedule', id) };
  }

  /** A new secret feed URL for calendar apps, shown once; it replaces the previous one. */
  @Post(':id/calendar-link')
  @RequireRole('responder')
  createCalendarLink(@Param('id') id: string, @CurrentPrincipal() p: Principal) {
    return this.links.create('schedule', id, actorOf(p));
  }

  @Delete(':id/calendar-link')
  @HttpCode(204)
  @RequireRole('responder')
  revokeCalendarLink(@Param('id') id: string, @CurrentPrincipal() p: Principal) {
    return this.links.revoke('schedule', id, actorOf(p));
  }

  @Post(':id/overrides')
  @RequireRole('responder')
  addOverride(@Param('id') id: string, @Body(new SanitizePipe(), new ZodValidationPipe(overrideSchema)) body: z.infer<typeof overrideSchema>, @CurrentPrincipal() p: Principal) {
    return this.oncall.addOverride(id, body, actorOf(p));
  }

  @Delete(':id/overrides/:overrideId')
  @HttpCode(204)
  @RequireRole('responder')
  removeOverride(@Param('id') id: string, @Param('overrideId', ParseIntPipe) overrideId: number, @CurrentPrincipal() p: Principal) {
    return this.oncall.removeOverride(id, overrideId, actorOf(p));
  }
}

@Controller('api/oncall')
export class OncallController {
  constructor(private readonly oncall: OncallService) {}

  /** Who is on call now, for every schedule. */
  @Get()
  now() {
    return this.oncall.onCallNow();
  }

  /** Reload problems, and participants that are not Headroom users (left out of their schedules). */
  @Get('status')
  status() {
    return this.oncall.status();
  }
}

@Controller('api/users')
export class UserCalendarController {
  constructor(
    private readonly oncall: OncallService,
    private readonly links: CalendarLinksService,
  ) {}

  @Get(':id/calendar.ics')
  @Header('content-type', 'text/calendar; charset=utf-8')
  calendar(@Param('id', ParseUUIDPipe) id: string) {
    return this.oncall.userCalendar(id);
  }

  @Get(':id/calendar-link')
  async calendarLink(@Param('id', ParseUUIDPipe) id: string) {
    return { link: await this.links.get('user', id) };
  }

  @Post(':id/calendar-link')
  @RequireRole('responder')
  createCalendarLink(@Param('id', ParseUUIDPipe) id: string, @CurrentPrincipal() p: Principal) {
    return this.links.create('user', id, actorOf(p), p);
  }

  @Delete(':id/calendar-link')
  @HttpCode(204)
  @RequireRole('responder')
  revokeCalendarLink(@Param('id', ParseUUIDPipe) id: string, @CurrentPrincipal() p: Principal) {
    return this.links.revoke('user', id, actorOf(p), p);
  }
}

/** Secret calendar feeds: the token in the URL is the credential (calendar apps send no other). */
@Controller('calendar')
export class CalendarFeedController {
  constructor(private readonly links: CalendarLinksService) {}

  @Get(':token.ics')
  @Public()
  @Header('content-type', 'text/calendar; charset=utf-8')
  @Header('cache-control', 'private, max-age=300')
  feed(@Param('token') token: string) {
    return this.links.feed(token);
  }
}

/** "Escalate" from the console or the API: the pending step of the incident's escalation, now. */
@Controller('api/incidents')
export class EscalationController {
  constructor(private readonly engine: EscalationEngine) {}

  @Post(':id/escalate')
  @HttpCode(200)
  @RequireRole('responder')
  escalate(@Param('id', ParseIntPipe) id: number, @CurrentPrincipal() p: Principal) {
    return this.engine.escalate(id, actorOf(p));
  }
}
