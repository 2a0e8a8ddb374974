import { Body, Controller, HttpCode, Post, createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { IntegrationKeyView } from '../../auth/integration-keys.service';
import { IntegrationEndpoint } from '../../auth/integration-key.guard';
import { ZodValidationPipe } from '../../common/zod-validation.pipe';
import { SanitizePipe, sanitizeJson } from '../../routing/text-sanitizer';
import { webhookSchema, type WebhookPayload } from './alertmanager-payload';
import { AlertmanagerReceiver } from './alertmanager-receiver.service';

/** The integration key the guard verified for this request. */
const CurrentIntegration = createParamDecorator((_: unknown, ctx: ExecutionContext): IntegrationKeyView => ctx.switchToHttp().getRequest().integration);

/** The request body before validation, kept as evidence (validation drops unknown fields). */
const RawBody = createParamDecorator((_: unknown, ctx: ExecutionContext): unknown => sanitizeJson(ctx.switchToHttp().getRequest().body));

@Controller('api/integrations/alertmanager')
export class AlertmanagerController {
  constructor(private readonly receiver: AlertmanagerReceiver) {}

  /** Alertmanager webhook_config target; authenticated by an alertmanager integration key (bearer or basic auth). */
  @Post()
  @HttpCode(200)
  @IntegrationEndpoint('alertmanager')
  receive(@RawBody() raw: unknown, @Body(new SanitizePipe(), new ZodValidationPipe(webhookSchema)) payload: WebhookPayload, @CurrentIntegration() integration: IntegrationKeyView) {
    return this.receiver.receive(payload, raw, integration);
  }
}
