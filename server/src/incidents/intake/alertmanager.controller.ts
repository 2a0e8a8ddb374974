import { Body, Controller, HttpCode, Post, createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { IntegrationKeyView } from '../../auth/integration-keys.service';
import { IntegrationEndpoint } from '../../auth/integration-key.guard';
import { AlertmanagerReceiver } from './alertmanager-receiver.service';

/** The integration key the guard verified for this request. */
const CurrentIntegration = createParamDecorator((_: unknown, ctx: ExecutionContext): IntegrationKeyView => ctx.switchToHttp().getRequest().integration);

export const ALERTMANAGER_PATH = '/api/integrations/alertmanager';

/**
 * Alertmanager webhook_config target; authenticated by an alertmanager integration key (bearer
 * or basic auth). The one way in: guards, body limits, filters and request logs all apply.
 */
@Controller(ALERTMANAGER_PATH)
export class AlertmanagerController {
  constructor(private readonly receiver: AlertmanagerReceiver) {}

  @Post()
  @HttpCode(200)
  @IntegrationEndpoint('alertmanager')
  receive(@Body() body: unknown, @CurrentIntegration() integration: IntegrationKeyView) {
    return this.receiver.accept(body, integration);
  }
}
