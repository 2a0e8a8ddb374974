import { Body, Controller, Get, HttpCode, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Public } from '../auth/auth.decorators';
import { IntegrationEndpoint, IntegrationOrRoleEndpoint } from '../auth/integration-key.guard';
import { parseListQuery, setContentRange } from '../common/pagination';
import { ValidationError } from '../common/errors';
import { SanitizePipe } from '../common/text-sanitizer';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { flaggerEventSchema, genericChangeSchema, type FlaggerEvent, type GenericChange } from './change-input';
import { requestActor } from './request-actor';
import { CHANGE_SORTABLE, ChangesService } from './changes.service';

/** Changes in: Headroom's JSON, PagerDuty's Change Events API, Flagger's event webhook. */
@Controller('api/integrations')
export class ChangeIntegrationsController {
  constructor(private readonly changes: ChangesService) {}

  /** A `changes` integration key, or a responder's token (a person recording a change by hand). */
  @Post('changes')
  @HttpCode(201)
  @IntegrationOrRoleEndpoint('changes', 'responder')
  generic(@Body(new SanitizePipe(), new ZodValidationPipe(genericChangeSchema)) body: GenericChange, @Req() req: Request) {
    return this.changes.reportGeneric(body, requestActor(req));
  }

  /** Authenticated by the routing_key in the body, as at PagerDuty. */
  @Post('pagerduty/v2/change/enqueue')
  @Public()
  @HttpCode(202)
  pagerDuty(@Body(new SanitizePipe()) body: unknown) {
    return this.changes.reportPagerDuty(body);
  }

  /** Flagger's eventWebhook; the key as basic-auth password in the URL (Flagger sends no headers). */
  @Post('flagger/events')
  @HttpCode(200)
  @IntegrationEndpoint('changes')
  flagger(@Body(new SanitizePipe(), new ZodValidationPipe(flaggerEventSchema)) body: FlaggerEvent, @Req() req: Request) {
    return this.changes.reportFlagger(body, requestActor(req));
  }
}

@Controller('api/changes')
export class ChangesController {
  constructor(private readonly changes: ChangesService) {}

  /**
   * The changes an incident of `service` that started at `at` is shown with (its own and its
   * dependencies', HEADROOM_CHANGE_WINDOW before), the suspect first, each with `suspect` and `minutesBefore`.
   */
  @Get('before')
  before(@Query() query: Record<string, unknown>) {
    const { service, at } = parseBefore(query);
    return this.changes.beforeIncident(service, at);
  }

  /** Filters: service, kind, source (each one value or a list), since, until (ISO times). Newest first. */
  @Get()
  async list(@Query() query: Record<string, unknown>, @Res({ passthrough: true }) res: Response) {
    const q = parseListQuery(query, CHANGE_SORTABLE, { field: 'at', order: 'DESC' });
    const { items, total } = await this.changes.list(q);
    setContentRange(res, 'changes', q, items.length, total);
    return items;
  }
}

function parseBefore(query: Record<string, unknown>): { service: string; at: Date } {
  const issues: Array<{ field: string; message: string }> = [];
  const service = typeof query.service === 'string' && query.service ? query.service : null;
  if (!service) issues.push({ field: 'service', message: 'is required' });
  const at = new Date(String(query.at ?? ''));
  if (Number.isNaN(at.getTime())) issues.push({ field: 'at', message: 'must be an ISO 8601 time (when the incident started)' });
  if (issues.length > 0) throw new ValidationError(issues);
  return { service: service!, at };
}
