import { Body, Controller, HttpCode, Post, Req, type RawBodyRequest } from '@nestjs/common';
import type { Request } from 'express';
import { Public } from '../../auth/auth.decorators';
import { PagerDutyEventsService } from './pagerduty-events.service';

@Controller('api/integrations/pagerduty')
export class PagerDutyController {
  constructor(private readonly events: PagerDutyEventsService) {}

  /** Authenticated by the routing_key in the body, as at PagerDuty. */
  @Post('v2/enqueue')
  @Public()
  @HttpCode(202)
  enqueue(@Body() body: unknown, @Req() req: RawBodyRequest<Request>) {
    return this.events.enqueue(body, req.rawBody?.length ?? Number(req.headers['content-length'] ?? 0));
  }
}
