import { Module } from '@nestjs/common';
import { SloModule } from '../slo/slo.module';
import { OtlpModule } from './otlp/otlp.module';
import { SimulatorController } from './simulator/simulator.controller';
import { SimulatorService } from './simulator/simulator.service';

@Module({ imports: [SloModule, OtlpModule], controllers: [SimulatorController], providers: [SimulatorService], exports: [SimulatorService] })
export class SourcesModule {}
