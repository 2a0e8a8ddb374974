import { Controller, createParamDecorator, Header, HttpCode, Post, type ExecutionContext, type RawBodyRequest } from '@nestjs/common';
import type { Request } from 'express';
import { Public } from '../../auth/auth.decorators';
import { TwilioWebhooks, type TwilioInbound } from './twilio-webhooks.service';

/** The parts of the request its X-Twilio-Signature covers: the body exactly as sent (not as parsed). */
const Inbound = createParamDecorator((_: unknown, ctx: ExecutionContext): TwilioInbound => {
  const req = ctx.switchToHttp().getRequest<RawBodyRequest<Request>>();
  const signature = req.headers['x-twilio-signature'];
  return { pathAndQuery: req.originalUrl, signature: typeof signature === 'string' ? signature : undefined, body: req.rawBody?.toString('utf8') ?? '' };
});

/** Reached without a session or token: Twilio authenticates by X-Twilio-Signature, checked by TwilioWebhooks. */
@Controller('api/integrations/twilio')
@Public()
export class TwilioWebhooksController {
  constructor(private readonly webhooks: TwilioWebhooks) {}

  @Post('sms')
  @HttpCode(200)
  @Header('Content-Type', 'text/xml; charset=utf-8')
  sms(@Inbound() inbound: TwilioInbound) {
    return this.webhooks.sms(inbound);
  }

  @Post('voice')
  @HttpCode(200)
  @Header('Content-Type', 'text/xml; charset=utf-8')
  voice(@Inbound() inbound: TwilioInbound) {
    return this.webhooks.voice(inbound);
  }
}
