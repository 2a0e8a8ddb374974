import { Module } from '@nestjs/common';
import { ChangesModule } from '../changes/changes.module';
import { ExperimentControl } from './experiment-control';
import { ExperimentsController } from './experiments.controller';
import { ExperimentsService } from './experiments.service';
import { GuardrailEvaluator } from './guardrail-evaluator.service';

/** Experiments, their guardrail evaluation and the signals it publishes. */
@Module({ imports: [ChangesModule], controllers: [ExperimentsController], providers: [ExperimentsService, GuardrailEvaluator, ExperimentControl], exports: [ExperimentsService, GuardrailEvaluator] })
export class GuardrailsModule {}
