import { Controller, Get, HttpCode, Param, ParseIntPipe, Post, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { CurrentPrincipal, RequireRole, type Principal } from '../auth/auth.decorators';
import { listInMemory, parseListQuery, setContentRange } from '../common/pagination';
import { actorOf } from '../incidents/principal-actor';
import { EXECUTION_SORTABLE, RollbackService } from './rollback.service';

@Controller('api')
export class RollbackController {
  constructor(private readonly rollback: RollbackService) {}

  /** Declared hooks (read only: they live in alerts/*.yaml); header values are not shown. */
  @Get('rollback-hooks')
  hooks(@Query() query: Record<string, unknown>, @Res({ passthrough: true }) res: Response) {
    return listInMemory(res, 'rollback-hooks', query, this.rollback.hooks(), ['id', 'name', 'url'], { field: 'id', order: 'ASC' });
  }

  @Get('rollback-policies')
  policies(@Query() query: Record<string, unknown>, @Res({ passthrough: true }) res: Response) {
    return listInMemory(res, 'rollback-policies', query, this.rollback.policies(), ['id', 'name', 'hook', 'mode'], { field: 'id', order: 'ASC' });
  }

  /** react-admin list; `filter={"incidentId":12}`, also status, hook, policy, mode, experiment. */
  @Get('rollback-executions')
  async executions(@Query() query: Record<string, unknown>, @Res({ passthrough: true }) res: Response) {
    const q = parseListQuery(query, EXECUTION_SORTABLE, { field: 'id', order: 'DESC' });
    const { items, total } = await this.rollback.list(q);
    setContentRange(res, 'rollback-executions', q, items.length, total);
    return items;
  }

  @Get('rollback-executions/:id')
  execution(@Param('id', ParseIntPipe) id: number) {
    return this.rollback.get(id);
  }

  @Post('rollback-executions/:id/approve')
  @HttpCode(200)
  @RequireRole('responder')
  approve(@Param('id', ParseIntPipe) id: number, @CurrentPrincipal() p: Principal) {
    return this.rollback.approve(id, actorOf(p));
  }

  @Post('rollback-executions/:id/retry')
  @HttpCode(200)
  @RequireRole('responder')
  retry(@Param('id', ParseIntPipe) id: number, @CurrentPrincipal() p: Principal) {
    return this.rollback.retry(id, actorOf(p));
  }

  @Post('rollback-executions/:id/cancel')
  @HttpCode(200)
  @RequireRole('responder')
  cancel(@Param('id', ParseIntPipe) id: number, @CurrentPrincipal() p: Principal) {
    return this.rollback.cancel(id, actorOf(p));
  }
}
