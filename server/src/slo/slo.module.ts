import { Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { PostgresSliStore } from './postgres-sli-store';
import { IngestEvents, SLI_STORE } from './sli-store';
import { SloEvaluator } from './slo-evaluator.service';
import { SlosController } from './slos.controller';
import { SlosService } from './slos.service';

@Module({
  controllers: [SlosController],
  providers: [
    IngestEvents,
    { provide: SLI_STORE, inject: [DataSource], useFactory: (ds: DataSource) => new PostgresSliStore(ds) },
    SloEvaluator,
    SlosService,
  ],
  exports: [SLI_STORE, IngestEvents, SloEvaluator],
})
export class SloModule {}
