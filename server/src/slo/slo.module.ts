import { Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { RulesService } from '../rules/rules.service';
import { OtlpSeriesStore } from './otlp-series-store';
import { PostgresSliStore } from './postgres-sli-store';
import { DeclaredPrometheusClients } from './prometheus/prometheus-client';
import { PromqlSliReader } from './prometheus/promql-sli-reader';
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
    // Push sources resolve SLOs to stored series (see series-resolvers.ts).
    { provide: SERIES_RESOLVERS, inject: [DataSource], useFactory: (ds: DataSource): SeriesResolver[] => createSeriesResolvers(ds) },
    // Reads rollups at any time (API history, latency, back-testing).
    {
      provide: RollupSliReader,
      inject: [SLI_STORE, SERIES_RESOLVERS],
      useFactory: (store: SliStore, resolvers: SeriesResolver[]) => new RollupSliReader(store, resolvers),
    },
    // What the live evaluator asks, one reader per kind of source.
    {
      provide: SLI_READERS,
      inject: [SLI_STORE, SERIES_RESOLVERS, RulesService, APP_CONFIG],
      useFactory: (store: SliStore, resolvers: SeriesResolver[], rules: RulesService, config: AppConfig): SliReader[] => [
        // Rollups from the in-memory window cache, refreshed from the database each pass
        // (sli-window-cache.ts); a time the cache does not hold falls back to SQL.
        new CachedRollupSliReader(store, resolvers),
        // Prometheus-backed SLOs: PromQL on demand against the servers declared in the rules.
        new PromqlSliReader(new DeclaredPrometheusClients(() => rules.prometheusServers()), config.prometheus),
      ],
    },
    OtlpSeriesStore,
    SloEvaluator,
    SlosService,
    SliRetentionService,
  ],
  exports: [SLI_STORE, OtlpSeriesStore, SLI_READERS, SERIES_RESOLVERS, RollupSliReader, SloEvaluator, SlosService],
})
export class SloModule {}
