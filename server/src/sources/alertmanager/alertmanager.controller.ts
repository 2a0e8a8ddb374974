import { Body, Controller, HttpCode, Post, createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { IntegrationKeyView } from '../../auth/integration-keys.service';
import { IntegrationEndpoint } from '../../auth/integration-key.guard';
import { AlertmanagerReceiver } from './alertmanager-receiver.service';

/** The integration key the guard verified for this request. */
const CurrentIntegration = createParamDecorator((_: unknown, ctx: ExecutionContext): IntegrationKeyView => ctx.switchToHttp().getRequest().integration);

export const ALERTMANAGER_PATH = '/api/integrations/alertmanager';

/**
 * Alertmanager webhook_config target; authenticated by an alertmanager integration key (bearer
 * or basic auth). Plain JSON posts to exactly this path are served ahead of Nest by
 * AlertmanagerFastPath, the same way; this route takes the rest (another spelling of the path,
 * a compressed or non-JSON body).
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
