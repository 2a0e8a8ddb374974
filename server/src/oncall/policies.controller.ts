import { Controller, Get, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { listInMemory } from '../common/pagination';
import { RoutesService } from '../rules/routes.service';
import { OncallService } from './oncall.service';

/** Escalation policies as loaded from alerts/*.yaml (read only; they change with the files). */
@Controller('api/escalation-policies')
export class EscalationPoliciesController {
  constructor(private readonly oncall: OncallService) {}

  @Get()
  list(@Query() query: Record<string, unknown>, @Res({ passthrough: true }) res: Response) {
    const all = this.oncall.policies().map((p) => ({ id: p.policy.name, ...p.policy, file: p.file, line: p.line }));
    return listInMemory(res, 'escalation-policies', query, all, ['id', 'name'], { field: 'id', order: 'ASC' });
  }
}

/** Alert routes in the order they are tried (the first that matches an alert applies), read only. */
@Controller('api/routes')
export class RoutesController {
  constructor(private readonly routes: RoutesService) {}

  @Get()
  list(@Query() query: Record<string, unknown>, @Res({ passthrough: true }) res: Response) {
    const all = this.routes.all().map((r, order) => ({ id: r.name, order, ...r }));
    return listInMemory(res, 'routes', query, all, ['order', 'id', 'name'], { field: 'order', order: 'ASC' });
  }
}
