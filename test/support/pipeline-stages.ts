import type { IncidentActionProvider } from '../../server/src/common/incident-actions';
import type { IncidentsByFingerprint, SignalHandler } from '../../server/src/common/signals';
import type { IncidentTransitionHandler } from '../../server/src/incidents/incident-transitions';

/** For tests of incidents without the escalation engine: paging starts nothing else. */
export const noEscalation: IncidentTransitionHandler = { incidentPaged: async () => undefined, incidentStatusChanged: async () => undefined };

/** For tests of notify without the rollback stage: no extra buttons, no clicks taken. */
export const noIncidentActions: IncidentActionProvider = { buttons: async () => [], click: async () => false };

/** Several stages one after another, as server/src/pipeline.ts chains incidents and rollback; the last one answers. */
export function inOrder(...stages: SignalHandler[]): SignalHandler {
  return {
    handleSignals: async (signals) => {
      let receipt: IncidentsByFingerprint = new Map();
      for (const stage of stages) receipt = await stage.handleSignals(signals);
      return receipt;
    },
  };
}
