import type { IncidentActionProvider } from '../../server/src/common/incident-actions';
import type { Signal, SignalHandler } from '../../server/src/common/signals';
import type { IncidentPagedHandler } from '../../server/src/incidents/incident-paged';

/** For tests of incidents without the escalation engine: paging starts nothing else. */
export const noEscalation: IncidentPagedHandler = { incidentPaged: async () => undefined };

/** For tests of notify without the rollback stage: no extra buttons, no clicks taken. */
export const noIncidentActions: IncidentActionProvider = { buttons: async () => [], click: async () => false };

/** A last stage that keeps every signal it is handed, for tests to look at. */
export function signalRecorder(): SignalHandler & { received: Signal[] } {
  const received: Signal[] = [];
  return { received, handleSignals: async (signals) => void received.push(...signals) };
}

/** Several stages one after another, as server/src/pipeline.ts chains incidents and rollback. */
export function inOrder(...stages: SignalHandler[]): SignalHandler {
  return { handleSignals: async (signals) => { for (const stage of stages) await stage.handleSignals(signals); } };
}
