import { Body, Controller, Delete, Get, Param, ParseIntPipe, Post, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { z } from 'zod';
import { CurrentPrincipal, RequireRole, type Principal } from '../auth/auth.decorators';
import { parseListQuery, setContentRange } from '../common/pagination';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { SanitizePipe } from '../common/text-sanitizer';
import { MAINTENANCE_SORTABLE, MaintenanceWindowsService } from './maintenance-windows.service';
import { refineWindow, windowFields } from './mute-window';
import { actorOf } from './principal-actor';

const createSchema = z.strictObject({
  service: z.string().trim().min(1, 'must name the service under maintenance').max(200),
  ...windowFields,
  comment: z.string().trim().min(1, 'must say what the maintenance is').max(2000),
}).superRefine(refineWindow);

@Controller('api/maintenance-windows')
export class MaintenanceWindowsController {
  constructor(private readonly windows: MaintenanceWindowsService) {}

  @Get()
  async list(@Query() query: Record<string, unknown>, @Res({ passthrough: true }) res: Response) {
    const q = parseListQuery(query, MAINTENANCE_SORTABLE, { field: 'id', order: 'DESC' });
    const { items, total } = await this.windows.list(q);
    setContentRange(res, 'maintenance-windows', q, items.length, total);
    return items;
  }

  @Get(':id')
  get(@Param('id', ParseIntPipe) id: number) {
    return this.windows.get(id);
  }

  @Post()
  @RequireRole('responder')
  create(@Body(new SanitizePipe(), new ZodValidationPipe(createSchema)) body: z.infer<typeof createSchema>, @CurrentPrincipal() p: Principal) {
    return this.windows.create(body, actorOf(p));
  }

  @Delete(':id')
  @RequireRole('responder')
  expire(@Param('id', ParseIntPipe) id: number, @CurrentPrincipal() p: Principal) {
    return this.windows.expire(id, actorOf(p));
  }
}
