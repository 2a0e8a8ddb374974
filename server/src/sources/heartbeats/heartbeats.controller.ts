import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { CurrentPrincipal, RequireRole, userActor, type Principal } from '../../auth/auth.decorators';
import { IntegrationEndpoint } from '../../auth/integration-key.guard';
import { listInMemory } from '../../common/pagination';
import { SanitizePipe } from '../../common/text-sanitizer';
import { ZodValidationPipe } from '../../common/zod-validation.pipe';
import { heartbeatSchema, type HeartbeatSpec } from '../../rules/heartbeat-definition';
import { HEARTBEAT_SORTABLE, HeartbeatsService } from './heartbeats.service';

/**
 * A beat, authenticated by a `heartbeat` integration key (bearer, or basic auth with the key as
 * password). Any body, or none, is a beat: Alertmanager's webhook for its always-firing Watchdog
 * alert beats as it is, and so does `curl -X POST` from a cron job. The body is not read.
 */
@Controller('api/integrations/heartbeat')
export class HeartbeatBeatController {
  constructor(private readonly heartbeats: HeartbeatsService) {}

  @Post(':name')
  @HttpCode(200)
  @IntegrationEndpoint('heartbeat')
  beat(@Param('name') name: string) {
    return this.heartbeats.beat(name);
  }
}

/** Heartbeats declared in alerts/*.yaml and through this API, with their last beat and state. */
@Controller('api/heartbeats')
export class HeartbeatsController {
  constructor(private readonly heartbeats: HeartbeatsService) {}

  @Get()
  async list(@Query() query: Record<string, unknown>, @Res({ passthrough: true }) res: Response) {
    return listInMemory(res, 'heartbeats', query, await this.heartbeats.list(), HEARTBEAT_SORTABLE, { field: 'name', order: 'ASC' });
  }

  @Get(':name')
  get(@Param('name') name: string) {
    return this.heartbeats.get(name);
  }

  /** Declares a heartbeat (the same schema as `heartbeats:` in alerts/*.yaml). */
  @Post()
  @RequireRole('responder')
  create(@Body(new SanitizePipe(), new ZodValidationPipe(heartbeatSchema)) body: HeartbeatSpec, @CurrentPrincipal() p: Principal) {
    return this.heartbeats.create(body, userActor(p));
  }

  @Put(':name')
  @RequireRole('responder')
  update(@Param('name') name: string, @Body(new SanitizePipe(), new ZodValidationPipe(heartbeatSchema)) body: HeartbeatSpec, @CurrentPrincipal() p: Principal) {
    return this.heartbeats.update(name, body, userActor(p));
  }

  @Delete(':name')
  @RequireRole('responder')
  remove(@Param('name') name: string, @CurrentPrincipal() p: Principal) {
    return this.heartbeats.remove(name, userActor(p));
  }
}
