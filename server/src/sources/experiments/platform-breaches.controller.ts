import { Body, Controller, HttpCode, Post, createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { IntegrationKeyView } from '../../auth/integration-keys.service';
import { IntegrationEndpoint } from '../../auth/integration-key.guard';
import { ZodValidationPipe } from '../../common/zod-validation.pipe';
import { SanitizePipe } from '../../common/text-sanitizer';
import { platformBreachesBodySchema, type PlatformBreach } from './platform-breach';
import { PlatformBreachesService } from './platform-breaches.service';

const CurrentIntegration = createParamDecorator((_: unknown, ctx: ExecutionContext): IntegrationKeyView => ctx.switchToHttp().getRequest().integration);

/** Guardrail breaches decided by an experiment platform, pushed with an `experiments` integration key. */
@Controller('api/integrations/experiments')
export class PlatformBreachesController {
  constructor(private readonly breaches: PlatformBreachesService) {}

  @Post()
  @HttpCode(202)
  @IntegrationEndpoint('experiments')
  async receive(@Body(new SanitizePipe(), new ZodValidationPipe(platformBreachesBodySchema)) body: PlatformBreach[], @CurrentIntegration() integration: IntegrationKeyView) {
    return { status: 'accepted', outcomes: await this.breaches.receive(body, integration.name) };
  }
}
