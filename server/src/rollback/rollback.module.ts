import { Module } from '@nestjs/common';
import { ChangesModule } from '../changes/changes.module';
import { GuardrailsModule } from '../guardrails/guardrails.module';
import { IncidentsModule } from '../incidents/incidents.module';
import { FetchHookHttpClient, HOOK_HTTP_CLIENT } from './hook-http-client';
import { RollbackController } from './rollback.controller';
import { RollbackService } from './rollback.service';
import { RollbackStore } from './rollback-store';
import { RollbackWorker } from './rollback-worker';

/** Act stage: rollback hooks fired by policies (docs/rollback.md). */
@Module({
  imports: [IncidentsModule, GuardrailsModule, ChangesModule],
  controllers: [RollbackController],
  providers: [RollbackService, RollbackStore, RollbackWorker, { provide: HOOK_HTTP_CLIENT, useValue: new FetchHookHttpClient() }],
  exports: [RollbackService],
})
export class RollbackModule {}
