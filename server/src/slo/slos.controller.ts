import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { pageInMemory, parseListQuery, setContentRange } from '../common/pagination';
import { SlosService } from './slos.service';

@Controller('api/slos')
export class SlosController {
  constructor(private readonly slos: SlosService) {}

  @Get()
  async list(@Query() query: Record<string, unknown>, @Res({ passthrough: true }) res: Response) {
    const q = parseListQuery(query, ['id', 'service', 'name', 'state', 'budgetRemaining', 'objective'], { field: 'id', order: 'ASC' });
    const all = await this.slos.list(q.filter);
    const page = pageInMemory(all, q);
    setContentRange(res, 'slos', q, page.length, all.length);
    return page;
  }

  @Get(':id')
  get(@Param('id') id: string) {
    return this.slos.get(id);
  }
}
