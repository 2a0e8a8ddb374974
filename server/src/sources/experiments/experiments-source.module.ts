import { Module } from '@nestjs/common';
import { GuardrailsModule } from '../../guardrails/guardrails.module';
import { ExperimentObservationsController } from './experiment-observations.controller';
import { ExperimentObservationsService } from './experiment-observations.service';

/** Experiment observations pushed over HTTP. */
@Module({ imports: [GuardrailsModule], controllers: [ExperimentObservationsController], providers: [ExperimentObservationsService] })
export class ExperimentsSourceModule {}
