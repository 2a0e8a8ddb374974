import { Body, Controller, Param, Post, Res } from '@nestjs/common';
import type { Response } from 'express';
import { IntegrationOrRoleEndpoint } from '../../auth/integration-key.guard';
import { ZodValidationPipe } from '../../common/zod-validation.pipe';
import { SanitizePipe } from '../../common/text-sanitizer';
import { observationBodySchema, type ObservationBody } from './observation-body';
import { ExperimentObservationsService } from './experiment-observations.service';

@Controller('api/experiments')
export class ExperimentObservationsController {
  constructor(private readonly observations: ExperimentObservationsService) {}

  /** 201 when the snapshot is new, 200 when the same one was already stored (nothing changes). */
  @Post(':id/observations')
  @IntegrationOrRoleEndpoint('experiments', 'responder')
  async record(@Param('id') id: string, @Body(new SanitizePipe(), new ZodValidationPipe(observationBodySchema)) body: ObservationBody, @Res({ passthrough: true }) res: Response) {
    const outcome = await this.observations.record(id, body);
    res.status(outcome.stored ? 201 : 200);
    return outcome;
  }
}
