import { Body, Controller, Delete, Get, Param, ParseIntPipe, Post, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { z } from 'zod';
import { CurrentPrincipal, RequireRole, type Principal } from '../auth/auth.decorators';
import { parseListQuery, setContentRange } from '../common/pagination';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { SanitizePipe } from '../common/text-sanitizer';
import { matcherProblem } from '../rules/label-matcher';
import { refineWindow, windowFields } from './mute-window';
import { actorOf } from './principal-actor';
import { SILENCE_SORTABLE, SilencesService } from './silences.service';

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

const createSchema = z.strictObject({
  matchers: z.array(matcherSchema).min(1, 'needs at least one matcher'),
  ...windowFields,
  comment: z.string().trim().min(1, 'must say why (it is shown to whoever wonders why an alert did not page)').max(2000),
  /** Accepted for Alertmanager-style clients; the silence records the authenticated user. */
  createdBy: z.string().optional(),
}).superRefine(refineWindow);

@Controller('api/silences')
export class SilencesController {
  constructor(private readonly silences: SilencesService) {}

  @Get()
  async list(@Query() query: Record<string, unknown>, @Res({ passthrough: true }) res: Response) {
    const q = parseListQuery(query, SILENCE_SORTABLE, { field: 'id', order: 'DESC' });
    const { items, total } = await this.silences.list(q);
    setContentRange(res, 'silences', q, items.length, total);
    return items;
  }

  @Get(':id')
  get(@Param('id', ParseIntPipe) id: number) {
    return this.silences.get(id);
  }

  @Post()
  @RequireRole('responder')
  create(@Body(new SanitizePipe(), new ZodValidationPipe(createSchema)) body: z.infer<typeof createSchema>, @CurrentPrincipal() p: Principal) {
    return this.silences.create(body, actorOf(p));
  }

  /** Expires the silence (it is kept, with its end set to now), as Alertmanager's DELETE does. */
  @Delete(':id')
  @RequireRole('responder')
  expire(@Param('id', ParseIntPipe) id: number, @CurrentPrincipal() p: Principal) {
    return this.silences.expire(id, actorOf(p));
  }
}
