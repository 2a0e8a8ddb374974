import type { Fault } from './traffic-model';

/**
 * The simulated services call each other as the real ones do: the ranker asks candidate
 * retrieval for candidates, the feature store for features and model serving for scores, on
 * every request. A dependency in trouble passes part of it on, so an outage of the feature store
 * burns the ranker's SLOs too (and Headroom's `dependsOn:` links the ranker's incident to the
 * feature store's; alerts/now-playing-ranker.yaml declares the same edges).
 */
export interface ServiceDependency {
  service: string;
  dependsOn: string;
  /** Share of the dependency's failures the service fails with (the rest it serves from a cache or a fallback). */
  errorShare: number;
  /** Share of the service's latency spent waiting on the dependency. */
  latencyShare: number;
}

export const SERVICE_DEPENDENCIES: readonly ServiceDependency[] = Object.freeze([
  { service: 'now-playing-ranker', dependsOn: 'candidate-retrieval', errorShare: 0.9, latencyShare: 0.35 },
  { service: 'now-playing-ranker', dependsOn: 'feature-store', errorShare: 0.8, latencyShare: 0.2 },
  { service: 'now-playing-ranker', dependsOn: 'model-serving', errorShare: 0.7, latencyShare: 0.4 },
]);

/**
 * The faults a dependent suffers from its dependencies' faults, proportionally, over the same
 * span: `errorShare` of a dependency's failures; its slowdown on `latencyShare` of the
 * dependent's time (1 + share × (m − 1)); a failed call retried once costs another call's wait
 * (1 + share × rate). A dependency's traffic drop passes nothing on. One level: the simulated
 * dependencies have none of their own.
 */
export function propagatedFaults(faults: readonly Fault[], dependencies: readonly ServiceDependency[] = SERVICE_DEPENDENCIES): Fault[] {
  const out: Fault[] = [];
  for (const f of faults) {
    for (const d of dependencies.filter((e) => e.dependsOn === f.service)) {
      const span = { service: d.service, startsAt: f.startsAt, endsAt: f.endsAt };
      const failing = f.kind === 'error-rate' || f.kind === 'partial-outage' ? f.value : 0;
      // partial-outage slows what still answers by 1 + 4 × value (traffic-model.ts).
      const slower = f.kind === 'latency' ? f.value : f.kind === 'partial-outage' ? 1 + 4 * f.value : 1;
      if (failing > 0) out.push({ ...span, kind: 'error-rate', value: Math.min(1, failing * d.errorShare) });
      const latency = 1 + d.latencyShare * (slower - 1) + d.latencyShare * failing;
      if (latency !== 1) out.push({ ...span, kind: 'latency', value: latency });
    }
  }
  return out;
}
