import { Module } from '@nestjs/common';
import { SloModule } from '../slo/slo.module';
import { OtlpModule } from './otlp/otlp.module';
import { SimulatorController } from './simulator/simulator.controller';
import { ExperimentsSourceModule } from './experiments/experiments-source.module';
import { GuardrailsModule } from '../guardrails/guardrails.module';
import { ExperimentSimulator } from './simulator/experiment-simulator.service';
import { SimulatorService } from './simulator/simulator.service';

@Module({
  imports: [SloModule, OtlpModule, GuardrailsModule, ExperimentsSourceModule],
  controllers: [SimulatorController],
  providers: [SimulatorService, ExperimentSimulator],
  exports: [SimulatorService],
})
export class SourcesModule {}
