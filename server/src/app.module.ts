import { Global, Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import { ServeStaticModule } from '@nestjs/serve-static';
import { TypeOrmModule } from '@nestjs/typeorm';
import * as fs from 'node:fs';
import { AuditModule } from './audit/audit.module';
import { AuthModule } from './auth/auth.module';
import { CLOCK, ScaledClock, SystemClock, type Clock } from './common/clock';
import { DatabaseUnavailableFilter } from './common/database-unavailable';
import { LOGGER, type Logger } from './common/logger';
import { AppMetrics } from './common/metrics';
import { APP_CONFIG, type AppConfig } from './config/config';
import { dataSourceOptions } from './database/data-source-options';
import { LeaseService } from './common/lease.service';
import { GuardrailsModule } from './guardrails/guardrails.module';
import { HealthController } from './health/health.controller';
import { IncidentsModule } from './incidents/incidents.module';
import { NotifyModule } from './notify/notify.module';
import { OncallModule } from './oncall/oncall.module';
import { OutboxModule } from './outbox/outbox.module';
import { PipelineModule } from './pipeline';
import { RulesModule } from './rules/rules.module';
import { RollbackModule } from './rollback/rollback.module';
import { SloModule } from './slo/slo.module';
import { ExperimentsSourceModule } from './sources/experiments/experiments-source.module';
import { HeartbeatsModule } from './sources/heartbeats/heartbeats.module';
import { ChangesModule } from './changes/changes.module';
import { GatesModule } from './gates/gates.module';
import { SourcesModule } from './sources/sources.module';

export interface AppModuleOptions {
  config: AppConfig;
  databaseUrl: string;
  embedded: boolean;
  logger: Logger;
  clock?: Clock;
}

/** Process-wide singletons: config, clock, logger, metrics, leases. */
@Global()
@Module({})
class CoreModule {
  static forRoot(opts: AppModuleOptions): DynamicModule {
    const clock = opts.clock ?? (opts.config.timeScale === 1 ? new SystemClock() : new ScaledClock(opts.config.timeScale));
    const providers = [
      { provide: APP_CONFIG, useValue: opts.config },
      { provide: CLOCK, useValue: clock },
      { provide: LOGGER, useValue: opts.logger },
      { provide: AppMetrics, useValue: new AppMetrics() },
      LeaseService,
    ];
    return { module: CoreModule, providers, exports: providers.map((p) => ('provide' in p ? p.provide : p)) };
  }
}

@Module({})
export class AppModule {
  static forRoot(opts: AppModuleOptions): DynamicModule {
    const web = fs.existsSync(opts.config.webDir)
      ? [
          ServeStaticModule.forRoot({
            rootPath: opts.config.webDir,
            exclude: ['/api/{*path}', '/slack/{*path}', '/v1/{*path}', '/calendar/{*path}', '/ack/{*path}', '/healthz', '/readyz', '/metrics'],
          }),
        ]
      : [];
    return {
      module: AppModule,
      imports: [
        CoreModule.forRoot(opts),
        TypeOrmModule.forRoot({ ...dataSourceOptions(opts.databaseUrl, opts.embedded), migrationsRun: false }),
        ScheduleModule.forRoot(),
        OutboxModule,
        AuthModule,
        RulesModule,
        AuditModule,
        SloModule,
        SourcesModule,
        GuardrailsModule,
        ExperimentsSourceModule,
        HeartbeatsModule,
        ChangesModule,
        IncidentsModule,
        OncallModule,
        NotifyModule,
        RollbackModule,
        GatesModule,
        PipelineModule,
        ...web,
      ],
      controllers: [HealthController],
      providers: [{ provide: APP_FILTER, useClass: DatabaseUnavailableFilter }],
    };
  }
}
