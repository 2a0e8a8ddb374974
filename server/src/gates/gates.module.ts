import { Module } from '@nestjs/common';
import { GuardrailsModule } from '../guardrails/guardrails.module';
import { IncidentsModule } from '../incidents/incidents.module';
import { SloModule } from '../slo/slo.module';
import { GatesController } from './gates.controller';
import { GatesService } from './gates.service';

/** Gates for progressive delivery (Flagger webhooks, Argo Rollouts web metrics): docs/changes.md. */
@Module({ imports: [SloModule, GuardrailsModule, IncidentsModule], controllers: [GatesController], providers: [GatesService] })
export class GatesModule {}
