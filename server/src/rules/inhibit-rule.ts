import { z } from 'zod';
import { isDuration, parseDuration } from '../common/duration';
import { isLabelName, matchesAll, parseMatcher, type Labels, type LabelMatcher } from './label-matcher';

/**
 * Inhibition: while one incident is open and firing, another that it explains does not page on
 * its own. Two ways to say which explains which, both in alerts/*.yaml:
 *
 * - `inhibitRules:` (beside `routes:`), Alertmanager's inhibit_rules: a *target* (an incident
 *   whose labels match `targetMatchers`) is inhibited while a firing *source* matches
 *   `sourceMatchers` and has the same value for every `equal` label (a label absent on both sides
 *   counts as equal). A source that matches the target matchers too cannot inhibit a target that
 *   matches the source matchers, so an alert never inhibits itself (Alertmanager's rule).
 * - `dependsOn:` at the top of a service's file, a shorthand: an incident of the service opening
 *   within `dependencyLinks.window` of an open incident of a service it depends on.
 *
 * What holding back means (linked "likely caused by", paged when it outlives its cause or burns
 * far worse) is the incidents stage's business (incidents/likely-cause.ts); this file is the
 * schema and the matching.
 */

const matcherText = z.string().superRefine((text, ctx) => {
  try {
    parseMatcher(text);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
  }
});

export const inhibitRuleSchema = z.strictObject({
  /** Alertmanager matchers, all of which a source must match: `severity="critical"`. */
  sourceMatchers: z.array(matcherText).min(1, 'needs at least one matcher (an empty list would let any incident inhibit)'),
  /** …and a target: `severity="warning"`. */
  targetMatchers: z.array(matcherText).min(1, 'needs at least one matcher (an empty list would inhibit every incident)'),
  /** Labels whose values source and target must share, e.g. [service]. */
  equal: z.array(z.string().refine(isLabelName, 'must be a label name')).default([]),
});

export const inhibitRulesFieldSchema = z.array(inhibitRuleSchema).min(1);

const duration = z.string().refine(isDuration, 'must be a duration such as 5m, 15m or 1h');

/** How `dependsOn:` links behave; one per alerts folder, default when absent. */
export const dependencyLinksSchema = z.strictObject({
  /** A dependent's incident opening this long after its dependency's (or sooner) is linked to it, not paged. */
  window: duration.default('15m'),
  /**
   * The dependent pages anyway when its page-window burn rate is at least this many times its
   * dependency's (both SLO incidents): it is burning far more than the cause explains.
   */
  pageAtBurnRatio: z.number().gt(1, 'must be above 1').default(4),
});

const serviceName = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'must be a service name (lowercase letters, digits and dashes)');
/** The services a service calls: `dependsOn: [candidate-retrieval, feature-store, model-serving]`. */
export const dependsOnSchema = z.array(serviceName).min(1);

export interface InhibitRule {
  sourceMatchers: LabelMatcher[];
  targetMatchers: LabelMatcher[];
  equal: string[];
  /** Where it was defined, and its index there (for the timeline's wording). */
  file: string;
  index: number;
}

export interface Inhibition {
  rules: readonly InhibitRule[];
  /** Service → the services it depends on. */
  dependsOn: ReadonlyMap<string, readonly string[]>;
  windowSeconds: number;
  pageAtBurnRatio: number;
}

export const DEFAULT_DEPENDENCY_WINDOW = '15m';
export const DEFAULT_PAGE_AT_BURN_RATIO = 4;

export const NO_INHIBITION: Inhibition = {
  rules: [],
  dependsOn: new Map(),
  windowSeconds: parseDuration(DEFAULT_DEPENDENCY_WINDOW),
  pageAtBurnRatio: DEFAULT_PAGE_AT_BURN_RATIO,
};

export function toInhibitRule(spec: z.infer<typeof inhibitRuleSchema>, file: string, index: number): InhibitRule {
  return { sourceMatchers: spec.sourceMatchers.map(parseMatcher), targetMatchers: spec.targetMatchers.map(parseMatcher), equal: spec.equal, file, index };
}

/** A firing alert (or incident) that may inhibit others: its labels, and what it belongs to. */
export interface InhibitSource<T> {
  labels: Labels;
  of: T;
}

/**
 * The first source that inhibits `target` under `rule`, or null: Alertmanager's
 * InhibitRule.hasEqual with its two-sided-match exclusion. Sources are the firing ones only;
 * the caller leaves out the target's own incident.
 */
export function inhibitingSource<T>(rule: InhibitRule, target: Labels, sources: ReadonlyArray<InhibitSource<T>>): InhibitSource<T> | null {
  if (!matchesAll(rule.targetMatchers, target)) return null;
  // A target that looks like a source may only be inhibited by sources that do not look like targets.
  const twoSided = matchesAll(rule.sourceMatchers, target);
  for (const source of sources) {
    if (!matchesAll(rule.sourceMatchers, source.labels)) continue;
    if (twoSided && matchesAll(rule.targetMatchers, source.labels)) continue;
    if (rule.equal.every((l) => (source.labels[l] ?? '') === (target[l] ?? ''))) return source;
  }
  return null;
}

/** Whether any rule inhibits `target` given the firing `sources` (Alertmanager's Inhibitor.Mutes). */
export function isInhibited(rules: readonly InhibitRule[], target: Labels, sources: ReadonlyArray<InhibitSource<unknown>>): boolean {
  return rules.some((r) => inhibitingSource(r, target, sources) !== null);
}

/** `service`'s dependencies (an empty list for a service that declares none). */
export function dependenciesOf(inhibition: Inhibition, service: string): readonly string[] {
  return inhibition.dependsOn.get(service) ?? [];
}

/** Whether anything could ever hold back an incident of `service`: lets the writer skip its query. */
export function mayBeHeld(inhibition: Inhibition, service: string): boolean {
  return inhibition.rules.length > 0 || dependenciesOf(inhibition, service).length > 0;
}
