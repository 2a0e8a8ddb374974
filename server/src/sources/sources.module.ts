import { Module } from '@nestjs/common';
import { SloModule } from '../slo/slo.module';
import { OtlpModule } from './otlp/otlp.module';
import { SimulatorController } from './simulator/simulator.controller';
import { ExperimentsSourceModule } from './experiments/experiments-source.module';
import { GuardrailsModule } from '../guardrails/guardrails.module';
import { ExperimentSimulator } from './simulator/experiment-simulator.service';
import { SimulatorExportService } from './simulator/simulator-export.service';
import { SimulatorService } from './simulator/simulator.service';

@Module({
  imports: [SloModule, OtlpModule, GuardrailsModule, ExperimentsSourceModule],
  controllers: [SimulatorController],
  providers: [SimulatorService, SimulatorExportService, ExperimentSimulator],
  exports: [SimulatorService],
})
export class SourcesModule {}
