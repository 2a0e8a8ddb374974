import { Body, Controller, Delete, Get, Param, ParseUUIDPipe, Post, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { listInMemory } from '../common/pagination';
import { z } from 'zod';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { CurrentPrincipal, RequireRole, userActor, type Principal } from './auth.decorators';
import { INTEGRATION_KINDS, type IntegrationKind } from './integration-key.entity';
import { IntegrationKeysService } from './integration-keys.service';

const createSchema = z.strictObject({
  name: z.string().trim().min(1, 'must not be empty').max(200),
  kind: z.enum(INTEGRATION_KINDS as [IntegrationKind, ...IntegrationKind[]], { error: `must be one of ${INTEGRATION_KINDS.join(', ')}` }),
});

@Controller('api/integrations')
@RequireRole('admin')
export class IntegrationsController {
  constructor(private readonly keys: IntegrationKeysService) {}

  @Get()
  async list(@Query() query: Record<string, unknown>, @Res({ passthrough: true }) res: Response) {
    return listInMemory(res, 'integrations', query, await this.keys.list(), ['name', 'kind', 'createdAt', 'lastUsedAt'], { field: 'createdAt', order: 'DESC' });
  }

  /** The answer carries the key; it is never shown again. */
  @Post()
  create(@Body(new ZodValidationPipe(createSchema)) body: z.infer<typeof createSchema>, @CurrentPrincipal() p: Principal) {
    return this.keys.create(body.name, body.kind, userActor(p));
  }

  @Delete(':id')
  revoke(@Param('id', ParseUUIDPipe) id: string, @CurrentPrincipal() p: Principal) {
    return this.keys.revoke(id, userActor(p));
  }
}
