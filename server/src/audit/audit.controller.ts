import { Controller, Get, Param, ParseIntPipe, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { parseListQuery, setContentRange } from '../common/pagination';
import { AUDIT_SORTABLE, AuditService } from './audit.service';

@Controller('api/audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  async list(@Query() query: Record<string, unknown>, @Res({ passthrough: true }) res: Response) {
    const q = parseListQuery(query, AUDIT_SORTABLE, { field: 'id', order: 'DESC' });
    const { items, total } = await this.audit.list(q);
    setContentRange(res, 'audit', q, items.length, total);
    return items;
  }

  @Get(':id')
  get(@Param('id', ParseIntPipe) id: number) {
    return this.audit.get(id);
  }
}
