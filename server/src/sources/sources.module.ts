import { Module } from '@nestjs/common';
import { SloModule } from '../slo/slo.module';
import { SimulatorController } from './simulator/simulator.controller';
import { SimulatorService } from './simulator/simulator.service';

@Module({ imports: [SloModule], controllers: [SimulatorController], providers: [SimulatorService], exports: [SimulatorService] })
export class SourcesModule {}
