import { Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { PostgresSliStore } from './postgres-sli-store';
import { RollupSliReader } from './rollup-sli-reader';
import { SimulatorSeriesResolver } from './series';
import { SLI_READERS, type SliReader } from './sli-reader';
import { IngestEvents, SLI_STORE, type SliStore } from './sli-store';
import { SloEvaluator } from './slo-evaluator.service';
import { SlosController } from './slos.controller';
import { SlosService } from './slos.service';

@Module({
  controllers: [SlosController],
  providers: [
    IngestEvents,
    { provide: SLI_STORE, inject: [DataSource], useFactory: (ds: DataSource) => new PostgresSliStore(ds) },
    {
      provide: SLI_READERS,
      inject: [SLI_STORE],
      useFactory: (store: SliStore): SliReader[] => [new RollupSliReader(store, [new SimulatorSeriesResolver()])],
    },
    SloEvaluator,
    SlosService,
  ],
  exports: [SLI_STORE, SLI_READERS, IngestEvents, SloEvaluator],
})
export class SloModule {}
