import { Body, Controller, Get, Param, ParseUUIDPipe, Patch, Post, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { IANAZone } from 'luxon';
import { z } from 'zod';
import { parseListQuery, setContentRange } from '../common/pagination';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { SanitizePipe } from '../common/text-sanitizer';
import { ROLES, type Role } from './api-token.entity';
import { CurrentPrincipal, RequireRole, userActor, type Principal } from './auth.decorators';
import { PASSWORD_MIN_LENGTH } from './password';
import { USER_SORTABLE, UsersService } from './users.service';

const role = z.enum(ROLES as [Role, ...Role[]], { error: `must be one of ${ROLES.join(', ')}` });
const timeZone = z.string().refine((z) => IANAZone.isValidZone(z), 'must be an IANA time zone such as Europe/London');
const password = z.string().min(PASSWORD_MIN_LENGTH, `must be at least ${PASSWORD_MIN_LENGTH} characters`).max(1024);
const slackUserId = z.string().regex(/^[UW][A-Z0-9]{2,}$/, 'must be a Slack user id such as U012AB3CD').nullable();

const createSchema = z.strictObject({
  email: z.email('must be an email address').max(320),
  name: z.string().trim().min(1, 'must not be empty').max(200),
  role,
  timeZone: timeZone.optional(),
  slackUserId: slackUserId.optional(),
  password: password.optional(),
});

const updateSchema = z.strictObject({
  name: z.string().trim().min(1, 'must not be empty').max(200).optional(),
  role: role.optional(),
  timeZone: timeZone.optional(),
  slackUserId: slackUserId.optional(),
  password: password.optional(),
  disabled: z.boolean().optional(),
});

/** People: everyone signed in may see who is who (to page or reassign); only admins change them. */
@Controller('api/users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get()
  async list(@Query() query: Record<string, unknown>, @Res({ passthrough: true }) res: Response) {
    const q = parseListQuery(query, USER_SORTABLE, { field: 'name', order: 'ASC' });
    const { items, total } = await this.users.list(q);
    setContentRange(res, 'users', q, items.length, total);
    return items;
  }

  @Get(':id')
  get(@Param('id', ParseUUIDPipe) id: string) {
    return this.users.get(id);
  }

  @Post()
  @RequireRole('admin')
  create(@Body(new SanitizePipe(), new ZodValidationPipe(createSchema)) body: z.infer<typeof createSchema>, @CurrentPrincipal() p: Principal) {
    return this.users.create(body, userActor(p));
  }

  @Patch(':id')
  @RequireRole('admin')
  update(@Param('id', ParseUUIDPipe) id: string, @Body(new SanitizePipe(), new ZodValidationPipe(updateSchema)) body: z.infer<typeof updateSchema>, @CurrentPrincipal() p: Principal) {
    return this.users.update(id, body, userActor(p));
  }
}
