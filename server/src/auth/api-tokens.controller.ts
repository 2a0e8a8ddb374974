import { Body, Controller, Delete, Get, Param, ParseUUIDPipe, Post, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { z } from 'zod';
import { listInMemory } from '../common/pagination';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { SanitizePipe } from '../common/text-sanitizer';
import { ROLES, type Role } from './api-token.entity';
import { CurrentPrincipal, RequireRole, userActor, type Principal } from './auth.decorators';
import { ApiTokensService } from './api-tokens.service';

const createSchema = z.strictObject({
  name: z.string().trim().min(1, 'must not be empty').max(200),
  role: z.enum(ROLES as [Role, ...Role[]], { error: `must be one of ${ROLES.join(', ')}` }),
  /** The person the token acts for; default: the admin creating it (when signed in as a person). */
  ownerId: z.uuid({ error: 'must be a user id' }).nullable().optional(),
  expiresAt: z.iso.datetime({ offset: true, error: 'must be an ISO 8601 time such as 2027-03-01T00:00:00Z' }).transform((v) => new Date(v))
    .refine((d) => d.getTime() > Date.now(), 'must be in the future').optional(),
});

/** API tokens for scripts and automation; the answer to a create carries the token, never shown again. */
@Controller('api/tokens')
@RequireRole('admin')
export class ApiTokensController {
  constructor(private readonly tokens: ApiTokensService) {}

  @Get()
  async list(@Query() query: Record<string, unknown>, @Res({ passthrough: true }) res: Response) {
    return listInMemory(res, 'tokens', query, await this.tokens.list(), ['name', 'role', 'createdAt', 'expiresAt', 'lastUsedAt'], { field: 'createdAt', order: 'DESC' });
  }

  @Post()
  create(@Body(new SanitizePipe(), new ZodValidationPipe(createSchema)) body: z.infer<typeof createSchema>, @CurrentPrincipal() p: Principal) {
    const ownerId = body.ownerId !== undefined ? body.ownerId : p.kind === 'user' ? p.id : null;
    return this.tokens.create(body.name, body.role, userActor(p), { ownerId, expiresAt: body.expiresAt ?? null });
  }

  @Delete(':id')
  revoke(@Param('id', ParseUUIDPipe) id: string, @CurrentPrincipal() p: Principal) {
    return this.tokens.revoke(id, userActor(p));
  }
}
