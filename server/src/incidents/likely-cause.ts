import type { Urgency } from '../common/signals';
import { dependenciesOf, inhibitingSource, type InhibitRule, type InhibitSource, type Inhibition } from '../rules/inhibit-rule';
import type { Labels } from '../rules/label-matcher';

/**
 * Which open incident likely caused one that is opening, as pure functions. A *cause* is an open
 * incident whose condition still fires and that either belongs to a service the new incident's
 * service depends on (`dependsOn:`, opened at most `window` before) or inhibits it under an
 * inhibit rule (Alertmanager's semantics, inhibit-rule.ts). The new incident is linked to it and
 * *held*: it pages nobody until its cause ends while it still fires, or (both SLO incidents)
 * its page-window burn rate reaches `pageAtBurnRatio` times its cause's.
 */

/** An open, firing incident that may be the cause. */
export interface CauseCandidate {
  id: number;
  title: string;
  service: string;
  urgency: Urgency;
  triggeredAt: Date;
  /** The labels it fires with: one set per firing alert, or the incident's own labels. */
  labelSets: Labels[];
  /** Its page-window burn rate, for an SLO incident (pageBurn); null otherwise. */
  burn: number | null;
  /** The incident it is itself linked to, if any. */
  causedBy: number | null;
}

/** The incident opening. */
export interface CauseTarget {
  id: number;
  service: string;
  urgency: Urgency;
  labels: Labels;
  at: Date;
  burn: number | null;
}

export type CauseReason = { kind: 'depends-on' } | { kind: 'inhibit-rule'; rule: InhibitRule };

export interface LikelyCause {
  cause: CauseCandidate;
  reason: CauseReason;
  /** False when the target burns far worse than its cause: linked, but it pages on its own. */
  holds: boolean;
}

/**
 * The likely cause of `target` among `candidates`, or null. Of several, the one opened first
 * (the lowest id on a tie): the root of the trouble, as far as the links can tell. A ticket
 * never holds back a page; an incident never causes itself, nor one that it is linked to.
 */
export function likelyCause(target: CauseTarget, candidates: readonly CauseCandidate[], inhibition: Inhibition): LikelyCause | null {
  const eligible = candidates.filter((c) => c.id !== target.id && c.causedBy !== target.id && !(c.urgency === 'ticket' && target.urgency === 'page'));
  const found: Array<{ cause: CauseCandidate; reason: CauseReason }> = [];
  const dependencies = dependenciesOf(inhibition, target.service);
  const windowMs = inhibition.windowSeconds * 1000;
  for (const c of eligible) {
    const age = target.at.getTime() - c.triggeredAt.getTime();
    if (dependencies.includes(c.service) && age >= 0 && age <= windowMs) found.push({ cause: c, reason: { kind: 'depends-on' } });
  }
  if (inhibition.rules.length > 0) {
    const sources: Array<InhibitSource<CauseCandidate>> = eligible.flatMap((c) => c.labelSets.map((labels) => ({ labels, of: c })));
    for (const rule of inhibition.rules) {
      const source = inhibitingSource(rule, target.labels, sources);
      if (source) found.push({ cause: source.of, reason: { kind: 'inhibit-rule', rule } });
    }
  }
  if (found.length === 0) return null;
  found.sort((a, b) => a.cause.triggeredAt.getTime() - b.cause.triggeredAt.getTime() || a.cause.id - b.cause.id);
  const { cause, reason } = found[0];
  return { cause, reason, holds: !burnsFarWorse(target.burn, cause.burn, inhibition.pageAtBurnRatio) };
}

/** Whether a held incident's burn rate is at least `ratio` times its cause's; false unless both are known. */
export function burnsFarWorse(burn: number | null, causeBurn: number | null, ratio: number): boolean {
  if (burn === null || causeBurn === null || !(causeBurn > 0)) return false;
  return burn >= ratio * causeBurn;
}

/**
 * An SLO incident's page-window burn rate, from its evidence (slo-evaluator's windowPairs): of
 * each page pair the rate both its windows agree on (the lower of the two), the highest of
 * those. Null for other evidence, or while a window has no data.
 */
export function pageBurn(evidence: Record<string, unknown> | null | undefined): number | null {
  const pairs = Array.isArray(evidence?.windowPairs) ? (evidence.windowPairs as Array<Record<string, unknown>>) : [];
  let best: number | null = null;
  for (const p of pairs) {
    if (p.severity !== 'page' || typeof p.longBurn !== 'number' || typeof p.shortBurn !== 'number') continue;
    const agreed = Math.min(p.longBurn, p.shortBurn);
    if (best === null || agreed > best) best = agreed;
  }
  return best;
}

/** Why the target is linked, in words, for both timelines. */
export function reasonText(target: { service: string }, found: Pick<LikelyCause, 'cause' | 'reason'>): string {
  if (found.reason.kind === 'depends-on') return `${target.service} depends on ${found.cause.service}`;
  return `inhibit rule ${found.reason.rule.index + 1} of ${found.reason.rule.file}`;
}

/** How far a service sits from the services nothing of it depends on: 0 for those, 1 for their direct dependents, and so on. */
export function dependencyDepth(inhibition: Inhibition, service: string, seen: ReadonlySet<string> = new Set()): number {
  if (seen.has(service)) return 0; // a cycle in dependsOn: stop rather than loop
  const next = new Set(seen).add(service);
  let depth = 0;
  for (const d of dependenciesOf(inhibition, service)) depth = Math.max(depth, 1 + dependencyDepth(inhibition, d, next));
  return depth;
}

/**
 * The order to handle one evaluation pass's signals in, so that links do not depend on the order
 * the evaluators listed them: what resolves first, dependents before their dependencies (a
 * dependent that stops with its cause then is not paged for outliving it), then what fires,
 * dependencies first (their incident is open when a dependent's opens). Stable otherwise.
 */
export function causeOrder<T extends { status: 'firing' | 'resolved'; service: string }>(signals: readonly T[], inhibition: Inhibition): T[] {
  if (inhibition.dependsOn.size === 0) return [...signals];
  const depth = new Map<string, number>();
  const depthOf = (s: string) => depth.get(s) ?? depth.set(s, dependencyDepth(inhibition, s)).get(s)!;
  const resolved = signals.filter((s) => s.status === 'resolved').map((s, i) => ({ s, i })).sort((a, b) => depthOf(b.s.service) - depthOf(a.s.service) || a.i - b.i);
  const firing = signals.filter((s) => s.status === 'firing').map((s, i) => ({ s, i })).sort((a, b) => depthOf(a.s.service) - depthOf(b.s.service) || a.i - b.i);
  return [...resolved, ...firing].map((x) => x.s);
}
