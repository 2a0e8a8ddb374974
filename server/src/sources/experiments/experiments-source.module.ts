import { Module } from '@nestjs/common';
import { GuardrailsModule } from '../../guardrails/guardrails.module';
import { ExperimentObservationsController } from './experiment-observations.controller';
import { ExperimentObservationsService } from './experiment-observations.service';
import { PlatformBreachesController } from './platform-breaches.controller';
import { PlatformBreachesService } from './platform-breaches.service';
import { ExperimentPlatformPoller } from './platform-poller';

/** Experiment observations and platform-decided breaches, pushed over HTTP or pulled from a platform. */
@Module({
  imports: [GuardrailsModule],
  controllers: [ExperimentObservationsController, PlatformBreachesController],
  providers: [ExperimentObservationsService, PlatformBreachesService, ExperimentPlatformPoller],
  exports: [ExperimentObservationsService],
})
export class ExperimentsSourceModule {}
