import { Global, Module } from '@nestjs/common';
import { INCIDENT_ACTIONS } from './common/incident-actions';
import { SIGNAL_HANDLER, type IncidentsByFingerprint, type Signal, type SignalHandler } from './common/signals';
import { INCIDENT_TRANSITIONS, type IncidentTransitionHandler } from './incidents/incident-transitions';
import { IncidentsModule } from './incidents/incidents.module';
import { IncidentsService } from './incidents/incidents.service';
import { EscalationEngine } from './oncall/escalation-engine';
import { OncallModule } from './oncall/oncall.module';
import { RollbackModule } from './rollback/rollback.module';
import { RollbackService } from './rollback/rollback.service';

/**
 * The pipeline, written down once. Each stage receives the next one as an argument (Alertmanager's
 * PipelineBuilder is the model) through a token its own module declares, so an upstream stage never
 * imports a downstream one, and nothing depends on the order modules initialise in.
 *
 *   sources ── OTLP push, simulator ──▶ SLI store ──▶ SloEvaluator.evaluateAfterIngest   (plain calls)
 *   SloEvaluator (burns, blind monitoring), GuardrailEvaluator, PlatformBreachesService, HeartbeatsService
 *        └─ SIGNAL_HANDLER ─▶ IncidentsService.handleSignals ─▶ RollbackService.handleSignals
 *   Alertmanager, PagerDuty receivers ─▶ AlertIngestService                         (plain calls)
 *   incidents, in the transaction that pages ─ INCIDENT_TRANSITIONS ─▶ EscalationEngine.start
 *     (a page only: a ticket is an outbox row to its route's ticket channel and never comes here)
 *     ... or that changes an incident's status ─ INCIDENT_TRANSITIONS ─▶ EscalationEngine.wake
 *   incidents, escalation, rollback ─ outbox rows ─▶ OutboxWorker ─▶ IncidentNotifier ─▶ Slack
 *   escalation (PersonalPager: people's notification rules) ─ notify.contact rows ─▶ OutboxWorker
 *     ─▶ ContactDelivery ─▶ CONTACT_SENDERS (email, SMS, voice, push); Slack failing ─▶ SlackFallback
 *   the page's extra buttons and their clicks ─ INCIDENT_ACTIONS ─▶ RollbackService
 *
 * docs/architecture.md draws the same pipeline with the reasons.
 */

/** Incidents first, so a breach's incident exists when rollback looks for it; answers with incidents' receipt. */
export function signalStages(incidents: SignalHandler, rollback: { handleSignals(signals: Signal[]): Promise<void> }): SignalHandler {
  return {
    async handleSignals(signals: Signal[]): Promise<IncidentsByFingerprint> {
      const receipt = await incidents.handleSignals(signals);
      await rollback.handleSignals(signals);
      return receipt;
    },
  };
}

@Global()
@Module({
  imports: [IncidentsModule, OncallModule, RollbackModule],
  providers: [
    { provide: SIGNAL_HANDLER, inject: [IncidentsService, RollbackService], useFactory: signalStages },
    {
      provide: INCIDENT_TRANSITIONS,
      inject: [EscalationEngine],
      useFactory: (escalation: EscalationEngine): IncidentTransitionHandler => ({
        incidentPaged: (m, incidentId) => escalation.start(m, incidentId),
        incidentStatusChanged: (m, incidentId) => escalation.wake(m, incidentId),
      }),
    },
    { provide: INCIDENT_ACTIONS, useExisting: RollbackService },
  ],
  exports: [SIGNAL_HANDLER, INCIDENT_TRANSITIONS, INCIDENT_ACTIONS],
})
export class PipelineModule {}
