import { Body, Controller, Delete, Get, Param, ParseIntPipe, Post, Query, Res, createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request, Response } from 'express';
import { z, type ZodType } from 'zod';
import { CurrentPrincipal, RequireRole, type Principal } from '../auth/auth.decorators';
import { parseListQuery, setContentRange } from '../common/pagination';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { SanitizePipe } from '../common/text-sanitizer';
import { matcherProblem } from '../rules/label-matcher';
import { refineWindow, windowFields } from './mute-window';
import { actorOf } from './principal-actor';
import type { SilenceKind } from './silence.entity';
import { MAINTENANCE_SORTABLE, SILENCE_SORTABLE, SilencesService, type CreateInput } from './silences.service';

/** Alertmanager's matcher object; isRegex and isEqual default to an equality match. */
const matcherSchema = z
  .strictObject({
    name: z.string().min(1, 'must not be empty'),
    value: z.string(),
    isRegex: z.boolean().default(false),
    isEqual: z.boolean().default(true),
  })
  .superRefine((m, ctx) => {
    const problem = matcherProblem(m);
    if (problem) ctx.addIssue({ code: 'custom', path: [problem.startsWith('label name') ? 'name' : 'value'], message: problem });
  });

const silenceSchema = z.strictObject({
  matchers: z.array(matcherSchema).min(1, 'needs at least one matcher'),
  ...windowFields,
  comment: z.string().trim().min(1, 'must say why (it is shown to whoever wonders why an alert did not page)').max(2000),
  /** Accepted for Alertmanager-style clients; the silence records the authenticated user. */
  createdBy: z.string().optional(),
}).superRefine(refineWindow);

const maintenanceSchema = z.strictObject({
  service: z.string().trim().min(1, 'must name the service under maintenance').max(200),
  ...windowFields,
  comment: z.string().trim().min(1, 'must say what the maintenance is').max(2000),
}).superRefine(refineWindow);

/** The two paths onto silences: each shows one kind, with its own request, sorts and Content-Range name. */
const RESOURCES: Record<string, { kind: SilenceKind; sortable: readonly string[]; create: ZodValidationPipe<CreateInput<SilenceKind>> }> = {
  silences: { kind: 'silence', sortable: SILENCE_SORTABLE, create: new ZodValidationPipe(silenceSchema as ZodType<CreateInput<'silence'>>) },
  'maintenance-windows': { kind: 'maintenance', sortable: MAINTENANCE_SORTABLE, create: new ZodValidationPipe(maintenanceSchema) },
};

/** The resource the request was routed to: `/api/<resource>` or `/api/<resource>/:id`. */
const RoutedResource = createParamDecorator((_: unknown, ctx: ExecutionContext): string => {
  const { route } = ctx.switchToHttp().getRequest<Request & { route: { path: string } }>();
  return route.path.split('/')[2];
});

/**
 * Silences, and maintenance windows as a view of the silences on a service (Alertmanager has one
 * muter; a maintenance window is the old name and shape of a silence on a service).
 */
@Controller(Object.keys(RESOURCES).map((r) => `api/${r}`))
export class SilencesController {
  constructor(private readonly silences: SilencesService) {}

  @Get()
  async list(@RoutedResource() resource: string, @Query() query: Record<string, unknown>, @Res({ passthrough: true }) res: Response) {
    const q = parseListQuery(query, RESOURCES[resource].sortable, { field: 'id', order: 'DESC' });
    const { items, total } = await this.silences.list(RESOURCES[resource].kind, q);
    setContentRange(res, resource, q, items.length, total);
    return items;
  }

  @Get(':id')
  get(@RoutedResource() resource: string, @Param('id', ParseIntPipe) id: number) {
    return this.silences.get(RESOURCES[resource].kind, id);
  }

  @Post()
  @RequireRole('responder')
  create(@RoutedResource() resource: string, @Body(new SanitizePipe()) body: unknown, @CurrentPrincipal() p: Principal) {
    const { kind, create } = RESOURCES[resource];
    return this.silences.create(kind, create.transform(body), actorOf(p));
  }

  /** Expires it (it is kept, with its end set to now), as Alertmanager's DELETE does. */
  @Delete(':id')
  @RequireRole('responder')
  expire(@RoutedResource() resource: string, @Param('id', ParseIntPipe) id: number, @CurrentPrincipal() p: Principal) {
    return this.silences.expire(RESOURCES[resource].kind, id, actorOf(p));
  }
}
