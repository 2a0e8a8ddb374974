import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { z } from 'zod';
import { ValidationError } from '../common/errors';
import { pageInMemory, parseListQuery, setContentRange } from '../common/pagination';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { SlosService, type BacktestRequest } from './slos.service';
import { MAX_WINDOW_PAIRS } from '../rules/slo-definition';

const MAX_BACKTEST_DAYS = 31;
const isoDate = z.iso.datetime({ offset: true, error: 'must be an ISO 8601 time such as 2026-11-01T00:00:00Z' }).transform((v) => new Date(v));

const backtestSchema = z
  .strictObject({
    from: isoDate,
    to: isoDate,
    stepSeconds: z.number().int().min(60).max(3600).optional(),
    objective: z.number().gt(0).lt(1).optional(),
    alerting: z
      .strictObject({
        page: z.boolean().optional(),
        ticket: z.boolean().optional(),
        minEvents: z.number().int().min(0).optional(),
        windows: z
          .array(z.strictObject({ severity: z.enum(['page', 'ticket']), long: z.number().int().positive(), short: z.number().int().positive(), budgetShare: z.number().gt(0).lte(1) }))
          .min(1)
          .max(MAX_WINDOW_PAIRS, `must hold at most ${MAX_WINDOW_PAIRS} window pairs (as in alerts/ YAML)`)
          .optional(),
      })
      .optional(),
  })
  .superRefine((b, ctx) => {
    if (b.to <= b.from) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be after from' });
    if (b.to.getTime() - b.from.getTime() > MAX_BACKTEST_DAYS * 86400_000) ctx.addIssue({ code: 'custom', path: ['to'], message: `a back-test covers at most ${MAX_BACKTEST_DAYS} days` });
  });

@Controller('api')
export class SlosController {
  constructor(private readonly slos: SlosService) {}

  @Get('services')
  async services(@Query() query: Record<string, unknown>, @Res({ passthrough: true }) res: Response) {
    const q = parseListQuery(query, ['id', 'name', 'state', 'budgetRemaining'], { field: 'id', order: 'ASC' });
    const all = await this.slos.services();
    const page = pageInMemory(all, q);
    setContentRange(res, 'services', q, page.length, all.length);
    return page;
  }

  @Get('slos')
  async list(@Query() query: Record<string, unknown>, @Res({ passthrough: true }) res: Response) {
    const q = parseListQuery(query, ['id', 'service', 'name', 'state', 'budgetRemaining', 'objective'], { field: 'id', order: 'ASC' });
    const all = await this.slos.list(q.filter);
    const page = pageInMemory(all, q);
    setContentRange(res, 'slos', q, page.length, all.length);
    return page;
  }

  @Get('slos/:id')
  get(@Param('id') id: string) {
    return this.slos.get(id);
  }

  @Get('slos/:id/latency')
  latency(@Param('id') id: string, @Query('window') window = '5m', @Query('q') q = '0.5,0.9,0.99') {
    return this.slos.latency(id, window, parseQuantiles(q));
  }

  @Get('slos/:id/latency/history')
  latencyHistory(@Param('id') id: string, @Query('span') span = '6h', @Query('step') step = '5m', @Query('q') q = '0.5,0.9,0.99') {
    return this.slos.latencyHistory(id, span, step, parseQuantiles(q));
  }

  @Post('slos/:id/backtest')
  @HttpCode(200)
  backtest(@Param('id') id: string, @Body(new ZodValidationPipe(backtestSchema)) body: BacktestRequest) {
    return this.slos.backtest(id, body);
  }
}

function parseQuantiles(raw: string): number[] {
  const qs = String(raw).split(',').map((s) => Number(s.trim()));
  if (qs.length === 0 || qs.some((q) => !Number.isFinite(q) || q < 0 || q > 1)) {
    throw new ValidationError([{ field: 'q', message: 'must be a comma-separated list of numbers from 0 to 1, e.g. 0.5,0.9,0.99' }]);
  }
  return qs;
}
