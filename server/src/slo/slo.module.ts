import { Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { RulesService } from '../rules/rules.service';
import { OtlpSeriesStore } from './otlp-series-store';
import { PostgresSliStore } from './postgres-sli-store';
import { CLOCK, type Clock } from '../common/clock';
import { DeclaredPrometheusClients } from './prometheus/prometheus-client';
import { PROMETHEUS_CLIENTS, PrometheusPuller } from './prometheus/prometheus-puller';
import { CachedRollupSliReader } from './cached-rollup-sli-reader';
import { RollupSliReader } from './rollup-sli-reader';
import { createSeriesResolvers } from './series-resolvers';
import { SERIES_RESOLVERS, SLI_READERS, type SeriesResolver, type SliReader } from './sli-reader';
import { SliRetentionService } from './sli-retention.service';
import { SLI_STORE, type SliStore } from './sli-store';
import { SloEvaluator } from './slo-evaluator.service';
import { SlosController } from './slos.controller';
import { SlosService } from './slos.service';

@Module({
  controllers: [SlosController],
  providers: [
    { provide: SLI_STORE, inject: [DataSource], useFactory: (ds: DataSource) => new PostgresSliStore(ds) },
    // Every source resolves SLOs to stored series (see series-resolvers.ts).
    { provide: SERIES_RESOLVERS, inject: [DataSource, CLOCK], useFactory: (ds: DataSource, clock: Clock): SeriesResolver[] => createSeriesResolvers(ds, clock) },
    // Reads rollups at any time (API history, latency, back-testing).
    {
      provide: RollupSliReader,
      inject: [SLI_STORE, SERIES_RESOLVERS],
      useFactory: (store: SliStore, resolvers: SeriesResolver[]) => new RollupSliReader(store, resolvers),
    },
    // What the live evaluator asks: rollups from the in-memory window cache, refreshed from the
    // database each pass (sli-window-cache.ts); a time the cache does not hold falls back to SQL.
    {
      provide: SLI_READERS,
      inject: [SLI_STORE, SERIES_RESOLVERS],
      useFactory: (store: SliStore, resolvers: SeriesResolver[]): SliReader[] => [new CachedRollupSliReader(store, resolvers)],
    },
    // Prometheus-backed SLIs are pulled into the rollups once a minute (prometheus-puller.ts).
    { provide: PROMETHEUS_CLIENTS, inject: [RulesService], useFactory: (rules: RulesService) => new DeclaredPrometheusClients(() => rules.prometheusServers()) },
    PrometheusPuller,
    OtlpSeriesStore,
    SloEvaluator,
    SlosService,
    SliRetentionService,
  ],
  exports: [SLI_STORE, OtlpSeriesStore, SLI_READERS, SERIES_RESOLVERS, RollupSliReader, SloEvaluator, SlosService, PrometheusPuller],
})
export class SloModule {}
