import { isDuration, parseDuration } from '../common/duration';

/**
 * Whether a service may go on with a rollout, as a pure function of what Headroom knows about it
 * now. A progressive-delivery tool (Flagger, Argo Rollouts) asks before each step of a canary;
 * the answer is the same judgement the pages are made of — the SLOs' multi-window burn rates,
 * the guardrails' sequential tests and the open incidents — rather than one PromQL threshold.
 */

export interface GateSlo {
  id: string;
  name: string;
  state: 'ok' | 'ticket' | 'page' | 'no-data';
  /** When it entered its state. */
  since: Date | null;
  burnRates: Record<string, number | null>;
  noDataReason: string | null;
}

export interface GateExperiment {
  id: string;
  /** Guardrails whose harm test says breach, per treatment. */
  breaches: Array<{ metric: string; variant: string }>;
}

export interface GateIncident {
  id: number;
  title: string;
  status: string;
  triggeredAt: Date;
}

export interface GateOptions {
  /** Only this SLO (id or name); the others are not judged. */
  slo?: string;
  /** Only this experiment's guardrails. */
  experiment?: string;
  /** Only burns and incidents that began at or after this time (when the canary started). */
  since?: Date;
}

export interface GateDecision {
  pass: boolean;
  service: string;
  /** Why it does not pass; empty when it does. */
  reasons: string[];
  /** What was judged, so a pass can be read as "checked these and found nothing". */
  checked: { slos: string[]; experiments: string[]; incidents: number };
}

/** Burn-rate windows shortest first ('5m' before '1h'); a key that is no duration goes last. */
const windowSeconds = (w: string) => (isDuration(w) ? parseDuration(w) : Infinity);
const rate = (v: number | null) => (v === null ? 'n/a' : `${v >= 10 ? v.toFixed(0) : v.toFixed(1)}×`);

export function decideGate(service: string, slos: GateSlo[], experiments: GateExperiment[], incidents: GateIncident[], opts: GateOptions = {}): GateDecision {
  const since = opts.since?.getTime();
  const startedBefore = (t: Date | null) => since !== undefined && t !== null && t.getTime() < since;
  const judgedSlos = opts.slo === undefined ? slos : slos.filter((s) => s.id === opts.slo || s.name === opts.slo);
  const judgedExperiments = opts.experiment === undefined ? experiments : experiments.filter((e) => e.id === opts.experiment);
  const judgedIncidents = incidents.filter((i) => !startedBefore(i.triggeredAt));
  const reasons: string[] = [];
  for (const s of judgedSlos) {
    const burns = Object.entries(s.burnRates)
      .sort(([a], [b]) => windowSeconds(a) - windowSeconds(b))
      .map(([w, v]) => `${w} ${rate(v)}`)
      .join(', ');
    const at = s.since ? ` since ${s.since.toISOString()}` : '';
    if (s.state === 'no-data') reasons.push(`SLO ${s.id} cannot be judged: ${s.noDataReason ?? 'no data'}`);
    else if (startedBefore(s.since)) continue;
    else if (s.state === 'page') reasons.push(`SLO ${s.id} is burning its error budget fast enough to page (${burns})${at}`);
    else if (s.state === 'ticket') reasons.push(`SLO ${s.id} is slowly burning its error budget (${burns})${at}`);
  }
  for (const e of judgedExperiments) {
    for (const b of e.breaches) reasons.push(`experiment ${e.id}: guardrail ${b.metric} is in breach for ${b.variant}`);
  }
  for (const i of judgedIncidents) reasons.push(`incident #${i.id} is ${i.status}: ${i.title}`);
  return {
    pass: reasons.length === 0,
    service,
    reasons,
    checked: { slos: judgedSlos.map((s) => s.id), experiments: judgedExperiments.map((e) => e.id), incidents: judgedIncidents.length },
  };
}
