import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { CurrentPrincipal, RequireRole, userActor, type Principal } from '../auth/auth.decorators';
import { parseListQuery, setContentRange } from '../common/pagination';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { experimentSchema, type ExperimentSpec } from '../rules/experiment-definition';
import { SanitizePipe } from '../common/text-sanitizer';
import { EXPERIMENT_SORTABLE, ExperimentsService } from './experiments.service';
import { ExperimentControl } from './experiment-control';

@Controller('api/experiments')
export class ExperimentsController {
  constructor(
    private readonly experiments: ExperimentsService,
    private readonly control: ExperimentControl,
  ) {}

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

  /** Replaces an API-declared experiment's definition (409 for one declared in alerts/: edit the file). */
  @Put(':id')
  @RequireRole('responder')
  update(@Param('id') id: string, @Body(new SanitizePipe(), new ZodValidationPipe(experimentSchema)) body: ExperimentSpec, @CurrentPrincipal() p: Principal) {
    return this.control.update(id, body, userActor(p));
  }

  /** Stops a running API-declared experiment; its guardrail incidents resolve. */
  @Post(':id/stop')
  @HttpCode(200)
  @RequireRole('responder')
  stop(@Param('id') id: string, @CurrentPrincipal() p: Principal) {
    return this.control.stop(id, userActor(p));
  }

  /** Deletes an API-declared experiment with its observations (the audit log keeps its definition). */
  @Delete(':id')
  @RequireRole('responder')
  remove(@Param('id') id: string, @CurrentPrincipal() p: Principal) {
    return this.control.remove(id, userActor(p));
  }
}
