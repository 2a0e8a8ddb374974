import { Body, Controller, Get, Header, HttpCode, Param, ParseIntPipe, Post, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { z } from 'zod';
import { CurrentPrincipal, RequireRole, type Principal } from '../auth/auth.decorators';
import { parseDuration } from '../common/duration';
import { parseListQuery, setContentRange } from '../common/pagination';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { SanitizePipe } from '../common/text-sanitizer';
import { IncidentReportsService } from './incident-reports.service';
import { INCIDENT_ALERT_SORTABLE, INCIDENT_SORTABLE, IncidentsService } from './incidents.service';
import { actorOf } from './principal-actor';

const MAX_SNOOZE_SECONDS = 30 * 86_400;
const SEVERITIES = ['critical', 'error', 'warning', 'info'] as const;

const snoozeSchema = z.strictObject({
  /** A duration such as 30m, 4h or 1d, or a number of seconds. */
  duration: z.union([
    z.number().int('must be whole seconds').positive('must be positive').max(MAX_SNOOZE_SECONDS, 'must be at most 30 days'),
    z.string().transform((v, ctx) => {
      try {
        const s = parseDuration(v);
        if (s > 0 && s <= MAX_SNOOZE_SECONDS) return s;
      } catch {
        // reported below
      }
      ctx.addIssue({ code: 'custom', message: 'must be a duration from 1s to 30d, such as 30m, 4h or 1d' });
      return z.NEVER;
    }),
  ], { error: 'required: a duration such as 30m, or seconds' }),
});

const reassignSchema = z.strictObject({
  /** A person's name; null unassigns. */
  assignee: z.string().trim().min(1, 'must not be empty (send null to unassign)').max(200).nullable(),
});

const noteSchema = z.strictObject({ text: z.string().trim().min(1, 'must not be empty').max(10_000) });

const label = z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/);
const createSchema = z.strictObject({
  title: z.string().trim().min(1, 'must not be empty').max(1024),
  service: z.string().trim().min(1, 'must not be empty').max(200),
  severity: z.enum(SEVERITIES, { error: `must be one of ${SEVERITIES.join(', ')}` }).default('error'),
  description: z.string().max(10_000).optional(),
  runbookId: z.string().min(1).max(200).optional(),
  assignee: z.string().trim().min(1).max(200).optional(),
  labels: z.record(label, z.string().max(1024)).optional(),
});

const listOf = z.union([z.string(), z.array(z.string())]).transform((v) => [v].flat()).optional();
const statsSchema = z.object({
  weeks: z.coerce.number().int('must be a whole number').min(1, 'must be at least 1').max(104, 'must be at most 104').default(12),
  service: listOf,
  source: listOf,
});

@Controller('api/incidents')
export class IncidentsController {
  constructor(
    private readonly incidents: IncidentsService,
    private readonly reports: IncidentReportsService,
  ) {}

  @Get()
  async list(@Query() query: Record<string, unknown>, @Res({ passthrough: true }) res: Response) {
    const q = parseListQuery(query, INCIDENT_SORTABLE, { field: 'id', order: 'DESC' });
    const { items, total } = await this.incidents.list(q);
    setContentRange(res, 'incidents', q, items.length, total);
    return items;
  }

  /** Time to acknowledge and resolve per service and week: `?weeks=12&service=a&service=b&source=alertmanager`. */
  @Get('stats')
  stats(@Query(new ZodValidationPipe(statsSchema)) q: z.infer<typeof statsSchema>) {
    return this.reports.responseTimes({ weeks: q.weeks, services: q.service, sources: q.source });
  }

  /** Opens an incident by hand; it pages like any other. */
  @Post()
  @RequireRole('responder')
  create(@Body(new SanitizePipe(), new ZodValidationPipe(createSchema)) body: z.infer<typeof createSchema>, @CurrentPrincipal() p: Principal) {
    return this.incidents.createManual(body, actorOf(p));
  }

  @Get(':id')
  get(@Param('id', ParseIntPipe) id: number) {
    return this.incidents.getWithTimeline(id);
  }

  @Get(':id/alerts')
  async alerts(@Param('id', ParseIntPipe) id: number, @Query() query: Record<string, unknown>, @Res({ passthrough: true }) res: Response) {
    const q = parseListQuery(query, INCIDENT_ALERT_SORTABLE, { field: 'lastReceivedAt', order: 'DESC' });
    const { items, total } = await this.incidents.alerts(id, q);
    setContentRange(res, 'alerts', q, items.length, total);
    return items;
  }

  @Get(':id/postmortem.md')
  @Header('content-type', 'text/markdown; charset=utf-8')
  postmortem(@Param('id', ParseIntPipe) id: number) {
    return this.reports.postmortem(id);
  }

  @Post(':id/acknowledge')
  @HttpCode(200)
  @RequireRole('responder')
  acknowledge(@Param('id', ParseIntPipe) id: number, @CurrentPrincipal() p: Principal) {
    return this.incidents.acknowledge(id, actorOf(p));
  }

  @Post(':id/resolve')
  @HttpCode(200)
  @RequireRole('responder')
  resolve(@Param('id', ParseIntPipe) id: number, @CurrentPrincipal() p: Principal) {
    return this.incidents.resolve(id, actorOf(p));
  }

  @Post(':id/snooze')
  @HttpCode(200)
  @RequireRole('responder')
  snooze(@Param('id', ParseIntPipe) id: number, @Body(new SanitizePipe(), new ZodValidationPipe(snoozeSchema)) body: z.infer<typeof snoozeSchema>, @CurrentPrincipal() p: Principal) {
    return this.incidents.snooze(id, actorOf(p), body.duration);
  }

  @Post(':id/reassign')
  @HttpCode(200)
  @RequireRole('responder')
  reassign(@Param('id', ParseIntPipe) id: number, @Body(new SanitizePipe(), new ZodValidationPipe(reassignSchema)) body: z.infer<typeof reassignSchema>, @CurrentPrincipal() p: Principal) {
    return this.incidents.reassign(id, actorOf(p), body.assignee);
  }

  @Post(':id/notes')
  @HttpCode(200)
  @RequireRole('responder')
  addNote(@Param('id', ParseIntPipe) id: number, @Body(new SanitizePipe(), new ZodValidationPipe(noteSchema)) body: z.infer<typeof noteSchema>, @CurrentPrincipal() p: Principal) {
    return this.incidents.addUserNote(id, actorOf(p), body.text);
  }

  @Post(':id/reopen')
  @HttpCode(200)
  @RequireRole('responder')
  reopen(@Param('id', ParseIntPipe) id: number, @CurrentPrincipal() p: Principal) {
    return this.incidents.reopen(id, actorOf(p));
  }
}
