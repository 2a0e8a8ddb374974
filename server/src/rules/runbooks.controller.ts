import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { NotFoundError } from '../common/errors';
import { pageInMemory, parseListQuery, setContentRange } from '../common/pagination';
import { RulesService } from './rules.service';

@Controller('api/runbooks')
export class RunbooksController {
  constructor(private readonly rules: RulesService) {}

  @Get()
  list(@Query() query: Record<string, unknown>, @Res({ passthrough: true }) res: Response) {
    const q = parseListQuery(query, ['id', 'title'], { field: 'id', order: 'ASC' });
    const all = this.rules.allRunbooks().map(({ body: _body, ...summary }) => summary);
    const page = pageInMemory(all, q);
    setContentRange(res, 'runbooks', q, page.length, all.length);
    return page;
  }

  @Get(':id')
  get(@Param('id') id: string) {
    const runbook = this.rules.runbook(id);
    if (!runbook) throw new NotFoundError('runbook', id);
    return runbook;
  }
}
