import type { IncidentFacts as StoredIncidentFacts } from '../incidents/incident-store';
import type { TemplateValues } from './hook-request';

/** The incident's side of a hook's values. */
export type IncidentFacts = Pick<StoredIncidentFacts, 'id' | 'title' | 'service' | 'severity' | 'source'>;

export interface ExecutionFacts {
  id: number;
  hook: string;
  policy: string;
  mode: string;
  trigger: Record<string, string | null>;
}

/** The values a hook's body template sees for one execution. */
export function templateValues(incident: IncidentFacts, e: ExecutionFacts, publicUrl: string): TemplateValues {
  return {
    'incident.id': incident.id,
    'incident.title': incident.title,
    'incident.url': `${publicUrl}/#/incidents/${incident.id}/show`,
    'incident.severity': incident.severity,
    'incident.source': incident.source,
    service: incident.service,
    experiment: e.trigger.experiment ?? null,
    variant: e.trigger.variant ?? null,
    metric: e.trigger.metric ?? null,
    slo: e.trigger.slo ?? null,
    // The incident's suspect change (docs/changes.md), when one preceded the breach.
    'change.id': e.trigger['change.id'] ?? null,
    'change.kind': e.trigger['change.kind'] ?? null,
    'change.service': e.trigger['change.service'] ?? null,
    'change.summary': e.trigger['change.summary'] ?? null,
    'change.version': e.trigger['change.version'] ?? null,
    'change.previousVersion': e.trigger['change.previousVersion'] ?? null,
    'change.link': e.trigger['change.link'] ?? null,
    hook: e.hook,
    policy: e.policy,
    'execution.id': e.id,
    mode: e.mode,
  };
}
