import { Controller, Get, HttpCode, Param, ParseIntPipe, Post, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { CurrentPrincipal, RequireRole, type Principal } from '../auth/auth.decorators';
import { parseListQuery, setContentRange } from '../common/pagination';
import { INCIDENT_SORTABLE, IncidentsService } from './incidents.service';
import type { Actor } from './timeline-entry.entity';

const actorOf = (p: Principal): Actor => ({ type: 'user', id: p.id, name: p.name });

@Controller('api/incidents')
export class IncidentsController {
  constructor(private readonly incidents: IncidentsService) {}

  @Get()
  async list(@Query() query: Record<string, unknown>, @Res({ passthrough: true }) res: Response) {
    const q = parseListQuery(query, INCIDENT_SORTABLE, { field: 'id', order: 'DESC' });
    const { items, total } = await this.incidents.list(q);
    setContentRange(res, 'incidents', q, items.length, total);
    return items;
  }

  @Get(':id')
  get(@Param('id', ParseIntPipe) id: number) {
    return this.incidents.getWithTimeline(id);
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
}
