import { Body, Controller, Delete, Get, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { z } from 'zod';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { RequireRole } from './auth.decorators';
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
  list() {
    return this.keys.list();
  }

  /** The answer carries the key; it is never shown again. */
  @Post()
  create(@Body(new ZodValidationPipe(createSchema)) body: z.infer<typeof createSchema>) {
    return this.keys.create(body.name, body.kind);
  }

  @Delete(':id')
  revoke(@Param('id', ParseUUIDPipe) id: string) {
    return this.keys.revoke(id);
  }
}
