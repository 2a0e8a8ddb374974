import type { ChangeDraft } from '../changes/change-input';
import type { ExperimentSpec } from '../rules/experiment-definition';

/**
 * An experiment as the change log compares it: its status and its declared variants' shares
 * (a change's version is the allocation after it, previousVersion the one before).
 */
export interface ExperimentState {
  status: string;
  spec: ExperimentSpec;
}

const shares = (spec: ExperimentSpec) => spec.variants.filter((v) => !v.control).map((v) => `${v.name} ${Math.round(v.share * 1000) / 10}%`).join(', ');

/**
 * The change an experiment's move is, for the change log: started, ramped (a treatment's share
 * changed while it runs), stopped, restarted or rolled back; null when nothing a person would
 * call a change happened (a description edited, a YAML file renamed).
 */
export function experimentChange(before: ExperimentState | null, after: ExperimentState, at: Date, reason?: string): ChangeDraft | null {
  const name = after.spec.name;
  const base = { service: after.spec.service, kind: 'experiment' as const, previousVersion: before ? shares(before.spec) : null, link: null, at, labels: { experiment: name }, source: 'experiments' as const };
  const summary = (() => {
    if (before === null || (before.status !== 'running' && after.status === 'running')) {
      return after.status === 'running' ? `Experiment ${name} ${before === null ? 'started' : 'restarted'} (${shares(after.spec)})` : null;
    }
    if (before.status === after.status) {
      return after.status === 'running' && shares(before.spec) !== shares(after.spec) ? `Experiment ${name} ramped: ${shares(before.spec)} → ${shares(after.spec)}` : null;
    }
    if (after.status === 'rolled_back') return `Experiment ${name} rolled back${reason ? `: ${reason}` : ''}`;
    return `Experiment ${name} ${after.status === 'stopped' ? 'stopped' : `is ${after.status}`}`;
  })();
  // A start is dated when the experiment says it started (a YAML file read at boot declares an earlier start).
  const started = before === null && new Date(after.spec.start).getTime() < at.getTime() ? new Date(after.spec.start) : at;
  return summary ? { ...base, at: started, summary, version: shares(after.spec) } : null;
}
