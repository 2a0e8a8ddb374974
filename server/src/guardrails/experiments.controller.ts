import { Body, Controller, Get, Param, Post, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { CurrentPrincipal, RequireRole, userActor, type Principal } from '../auth/auth.decorators';
import { parseListQuery, setContentRange } from '../common/pagination';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { experimentSchema, type ExperimentSpec } from '../rules/experiment-definition';
import { SanitizePipe } from '../common/text-sanitizer';
import { EXPERIMENT_SORTABLE, ExperimentsService } from './experiments.service';

@Controller('api/experiments')
export class ExperimentsController {
  constructor(private readonly experiments: ExperimentsService) {}

  @Get()
  async list(@Query() query: Record<string, unknown>, @Res({ passthrough: true }) res: Response) {
    const q = parseListQuery(query, EXPERIMENT_SORTABLE, { field: 'id', order: 'ASC' });
    const { items, total } = await this.experiments.list(q);
    setContentRange(res, 'experiments', q, items.length, total);
    return items;
  }

  /** One experiment with its current results per metric, SRM and units per variant. */
  @Get(':id')
  get(@Param('id') id: string) {
    return this.experiments.get(id);
  }

  @Get(':id/observations')
  async observations(@Param('id') id: string, @Query() query: Record<string, unknown>, @Res({ passthrough: true }) res: Response) {
    const q = parseListQuery(query, ['at'], { field: 'at', order: 'DESC' });
    const { items, total } = await this.experiments.observations(id, q);
    setContentRange(res, 'observations', q, items.length, total);
    return items;
  }

  /** Declares an experiment (the same schema as `experiments:` in alerts/*.yaml). */
  @Post()
  @RequireRole('responder')
  create(@Body(new SanitizePipe(), new ZodValidationPipe(experimentSchema)) body: ExperimentSpec, @CurrentPrincipal() p: Principal) {
    return this.experiments.create(body, userActor(p));
  }
}
