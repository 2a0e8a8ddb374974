import type { z } from 'zod';
import { formatDuration, parseDuration } from '../../common/duration';
import { alertFileSchema } from '../slo-definition';
import { formatProblem, type RuleProblem } from '../yaml-source';
import { readDocuments, type ObjectIndex, type OpenSloObject, type OpenSloSource, type PathKey, Place } from './openslo-documents';
import type { AlertConditionSpec, AlertPolicySpec, Kind, Metadata, MetricSource, Objective, SliSpec, SloSpec } from './openslo-schema';
import { bucketSelector, windowedQuery } from './promql-window';

// OpenSLO v1 → Headroom SLO files. The mapping, field by field, is documented in
// docs/alerts.md ("OpenSLO"); every OpenSLO field is either converted, refused with the
// reason, or (for fields that only route or describe alerts) reported as a note.

export type AlertFileInput = z.input<typeof alertFileSchema>;
export type SloInput = NonNullable<AlertFileInput['slos']>[number];
export type PrometheusServerInput = NonNullable<AlertFileInput['prometheus']>[number];
type SliInput = SloInput['sli'];
type WindowInput = NonNullable<NonNullable<SloInput['alerting']>['windows']>[number];
type Severity = WindowInput['severity'];

/** Annotations Headroom reads (`metadata.annotations`), by the kinds that may carry them. */
export const ANNOTATIONS = {
  runbook: 'headroom.dev/runbook',
  incidentSeverity: 'headroom.dev/incident-severity',
  minEvents: 'headroom.dev/min-events',
  alertSeverity: 'headroom.dev/alert-severity',
} as const;
const ANNOTATIONS_BY_KIND: Record<Kind, string[]> = {
  SLO: [ANNOTATIONS.runbook, ANNOTATIONS.incidentSeverity, ANNOTATIONS.minEvents],
  AlertPolicy: [ANNOTATIONS.alertSeverity],
  AlertCondition: [ANNOTATIONS.alertSeverity],
  SLI: [],
  AlertNotificationTarget: [],
  DataSource: [],
  Service: [],
};

/**
 * Words an AlertCondition's `severity` (or an AlertPolicy's `severity` label) may use, and
 * the Headroom alert they become: a page opens an incident, a ticket shows on the SLO only.
 * Compared lowercased, without dashes, underscores and spaces.
 */
export const SEVERITY_WORDS: Record<Severity, readonly string[]> = {
  page: ['page', 'paging', 'pager', 'critical', 'crit', 'high', 'urgent', 'emergency', 'fatal', 'sev0', 'sev1', 'p0', 'p1'],
  ticket: ['ticket', 'warning', 'warn', 'medium', 'moderate', 'low', 'minor', 'info', 'sev3', 'sev4', 'sev5', 'p3', 'p4', 'p5'],
};

export interface ConvertOptions {
  /** Runbook for SLOs without the headroom.dev/runbook annotation (`openslo import --runbook`). */
  runbook?: string;
  /** Prometheus server every converted SLI queries (`openslo import --server`). */
  server?: string;
}

export interface ConvertedSlo {
  service: string;
  slo: SloInput;
  /** The OpenSLO SLO document it came from, for messages. */
  file: string;
  line: number;
  label: string;
  /** Where the runbook was named (annotation), for "runbook not found". */
  runbookLine: number;
  runbookField: string;
}

export interface ConvertedServer {
  server: PrometheusServerInput;
  file: string;
  line: number;
  label: string;
}

export interface Conversion {
  slos: ConvertedSlo[];
  prometheusServers: ConvertedServer[];
  /** Reasons nothing (or not everything) could be converted. */
  problems: RuleProblem[];
  /** OpenSLO fields Headroom accepts but does not act on, and objects no SLO uses. */
  notes: RuleProblem[];
}

const HEADROOM_NAME = /^[a-z0-9][a-z0-9-]*$/;
const DEFAULT_WINDOW_PAIRS_LONGEST = 3 * 86_400;

/** Converts every SLO in the given OpenSLO files; references resolve across all of them. */
export function convertOpenSlo(sources: OpenSloSource[], options: ConvertOptions = {}): Conversion {
  const { objects, problems } = readDocuments(sources);
  return new Converter(objects, options, problems).run();
}

interface Resolved<S> {
  place: Place;
  metadata: Metadata;
  spec: S;
}

class Converter {
  private readonly problems = new Map<string, RuleProblem>();
  private readonly notes = new Map<string, RuleProblem>();
  /** Counts every report, repeated ones too, so a shared broken SLI fails each SLO using it. */
  private reported = 0;
  private readonly used = new Set<OpenSloObject<Kind>>();
  private readonly serverSources = new Map<string, OpenSloObject<'DataSource'>>();

  constructor(
    private readonly objects: ObjectIndex,
    private readonly options: ConvertOptions,
    earlier: RuleProblem[],
  ) {
    earlier.forEach((p) => this.report(p));
  }

  run(): Conversion {
    for (const kind of Object.keys(this.objects) as Kind[]) {
      // An SLO's own annotations are checked as it converts, so that a bad one stops it.
      if (kind !== 'SLO') for (const o of this.objects[kind].values()) this.checkAnnotations(o.place, o.metadata, kind);
    }
    const slos = [...this.objects.SLO.values()].flatMap((o) => this.slo(o));
    const prometheusServers = [...this.serverSources.values()].flatMap((ds) => this.server(ds));
    for (const kind of ['SLI', 'AlertPolicy', 'AlertCondition', 'DataSource', 'AlertNotificationTarget'] as const) {
      for (const o of this.objects[kind].values()) {
        if (!this.used.has(o)) this.note(o.place.problem('not used by any SLO in the given files: nothing is converted from it'));
      }
    }
    return { slos, prometheusServers, problems: [...this.problems.values()], notes: [...this.notes.values()] };
  }

  private report(p: RuleProblem): undefined {
    this.reported++;
    this.problems.set(formatProblem(p), p);
    return undefined;
  }

  private note(p: RuleProblem): void {
    this.notes.set(formatProblem(p), p);
  }

  private slo(o: OpenSloObject<'SLO'>): ConvertedSlo[] {
    const before = this.reported;
    const p = o.place;
    const spec = o.spec;
    this.checkAnnotations(p, o.metadata, 'SLO');
    if (!HEADROOM_NAME.test(o.name)) this.report(p.problem(`"${o.name}" cannot be a Headroom SLO name: lowercase letters, digits and dashes`, ['metadata', 'name']));
    if (!HEADROOM_NAME.test(spec.service)) {
      this.report(p.problem(`"${spec.service}" cannot be a Headroom service name: lowercase letters, digits and dashes`, ['spec', 'service']));
    }
    if (spec.budgetingMethod !== 'Occurrences') {
      this.report(
        p.problem(
          ['Timeslices', 'RatioTimeslices'].includes(spec.budgetingMethod)
            ? `${spec.budgetingMethod} budgeting is not supported: Headroom budgets by occurrences (good events / total events); write budgetingMethod: Occurrences`
            : `must be Occurrences (OpenSLO also defines Timeslices and RatioTimeslices, which Headroom does not support)`,
          ['spec', 'budgetingMethod'],
        ),
      );
    }
    const period = this.period(p, spec);
    const annotations = o.metadata.annotations ?? {};
    const runbook = annotations[ANNOTATIONS.runbook] ?? this.options.runbook;
    const runbookPath = ['metadata', 'annotations', ANNOTATIONS.runbook];
    if (runbook === undefined) {
      this.report(
        p.problem(
          `no runbook: Headroom links every page to a runbook; add the annotation ${ANNOTATIONS.runbook}: <file>.md (a file in runbooks/), or pass --runbook to openslo import`,
          ['metadata'],
        ),
      );
    } else if (!/^[\w./-]+\.md$/.test(runbook)) {
      this.report(p.problem(`"${runbook}" must name a markdown file in runbooks/, e.g. ranker.md`, annotations[ANNOTATIONS.runbook] ? runbookPath : ['metadata']));
    }
    const severity = annotations[ANNOTATIONS.incidentSeverity];
    if (severity !== undefined && !['critical', 'error', 'warning', 'info'].includes(severity)) {
      this.report(p.problem('must be critical, error, warning or info (the severity of the incident a page opens)', ['metadata', 'annotations', ANNOTATIONS.incidentSeverity]));
    }
    const minEventsText = annotations[ANNOTATIONS.minEvents];
    if (minEventsText !== undefined && !/^\d+$/.test(minEventsText)) {
      this.report(p.problem('must be a whole number of events (a window with fewer cannot fire)', ['metadata', 'annotations', ANNOTATIONS.minEvents]));
    }
    const indicator = this.indicator(p, spec);
    const windows = period && this.alertWindows(p, spec, period);
    const objectives = this.objectives(o, indicator);
    if (this.reported > before || !period || windows === null || !objectives || runbook === undefined) return [];

    const labels = Object.fromEntries(Object.entries(o.metadata.labels ?? {}).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : String(v)]));
    const minEvents = minEventsText === undefined ? undefined : Number(minEventsText);
    const converted: ConvertedSlo[] = [];
    for (const objective of objectives) {
      // A fresh object per SLO: shared ones would come out as YAML anchors and aliases.
      const alerting = windows || minEvents !== undefined ? defined({ windows: windows?.map((w) => ({ ...w })), minEvents }) : undefined;
      const description = spec.description ?? o.metadata.displayName;
      const slo: SloInput = defined({
        name: objective.name,
        description: objectives.length > 1 && objective.title ? (description ? `${description} — ${objective.title}` : objective.title) : description,
        objective: objective.target,
        period: period.text,
        sli: objective.sli,
        alerting,
        severity: severity as SloInput['severity'],
        runbook,
        labels: Object.keys(labels).length ? labels : undefined,
      });
      // The converter checks everything it knows about; the schema is the last word.
      const checked = alertFileSchema.safeParse({ service: spec.service, slos: [slo] });
      if (!checked.success) {
        for (const issue of checked.error.issues) {
          this.report(p.problem(`the converted SLO is not valid: ${issue.path.slice(2).join('.') || 'slo'}: ${issue.message}`, ['metadata', 'name']));
        }
        continue;
      }
      converted.push({
        service: spec.service,
        slo,
        file: p.file,
        line: p.line(['metadata', 'name']),
        label: p.label,
        runbookLine: p.line(annotations[ANNOTATIONS.runbook] ? runbookPath : ['metadata']),
        runbookField: annotations[ANNOTATIONS.runbook] ? p.field(runbookPath) : `${p.label} (--runbook)`,
      });
    }
    return converted;
  }

  private period(p: Place, spec: SloSpec): { seconds: number; text: string } | undefined {
    const windows = spec.timeWindow ?? [];
    if (windows.length === 0) {
      this.note(p.problem('no timeWindow: Headroom uses a rolling 30d window', ['spec']));
      return { seconds: 30 * 86_400, text: '30d' };
    }
    if (windows.length > 1) return this.report(p.problem('must hold exactly one time window', ['spec', 'timeWindow']));
    const w = windows[0];
    if (w.calendar || w.isRolling === false) {
      return this.report(
        p.problem(
          'calendar-aligned time windows are not supported: Headroom budgets over a rolling window; write isRolling: true with a duration such as 28d or 30d',
          ['spec', 'timeWindow', 0, w.calendar ? 'calendar' : 'isRolling'],
        ),
      );
    }
    const seconds = this.duration(p.child('spec', 'timeWindow', 0), 'duration', w.duration);
    return seconds === undefined ? undefined : { seconds, text: w.duration };
  }

  /** An OpenSLO duration shorthand as whole seconds; months, quarters and years are refused. */
  private duration(p: Place, field: string, value: string): number | undefined {
    const m = /^(\d+)([smhdwMQY])$/.exec(value);
    if (!m) return this.report(p.problem(`"${value}" is not a duration: a whole number and one unit (m, h, d or w), e.g. 5m, 1h, 28d, 4w`, [field]));
    if ('MQY'.includes(m[2])) {
      return this.report(p.problem(`"${value}": months, quarters and years have no fixed length, so Headroom cannot use them; write days or weeks, e.g. 30d or 4w`, [field]));
    }
    const seconds = parseDuration(value);
    if (seconds === 0) return this.report(p.problem('must be longer than zero', [field]));
    return seconds;
  }

  private indicator(p: Place, spec: SloSpec): Resolved<SliSpec> | undefined {
    if (spec.indicator && spec.indicatorRef) return this.report(p.problem('give indicator (inline) or indicatorRef, not both', ['spec', 'indicatorRef']));
    if (spec.indicator) {
      const at = p.child('spec', 'indicator');
      const inline = spec.indicator;
      if (inline.kind !== undefined && inline.kind !== 'SLI') return this.report(at.problem('must be SLI (or left out) for an inline indicator', ['kind']));
      if (inline.apiVersion !== undefined && inline.apiVersion !== 'openslo/v1') return this.report(at.problem('must be openslo/v1 (or left out)', ['apiVersion']));
      this.checkAnnotations(at, inline.metadata, 'SLI');
      return { place: at, metadata: inline.metadata, spec: inline.spec };
    }
    if (spec.indicatorRef) {
      const sli = this.lookup('SLI', spec.indicatorRef, p, ['spec', 'indicatorRef']);
      return sli && { place: sli.place, metadata: sli.metadata, spec: sli.spec };
    }
    if (spec.objectives.some((o) => o.indicator !== undefined || o.indicatorRef !== undefined)) return undefined; // reported per objective
    return this.report(p.problem('required: indicator (an inline SLI) or indicatorRef (the name of an SLI document)', ['spec']));
  }

  private lookup<K extends Kind>(kind: K, name: string, p: Place, path: PathKey[]): OpenSloObject<K> | undefined {
    const found = this.objects[kind].get(name);
    if (found) {
      this.used.add(found as OpenSloObject<Kind>);
      return found;
    }
    const known = [...this.objects[kind].keys()];
    return this.report(p.problem(`no ${kind} named ${name} in the given files${known.length ? ` (${kind} documents: ${known.join(', ')})` : ''}`, path));
  }

  private objectives(o: OpenSloObject<'SLO'>, sli: Resolved<SliSpec> | undefined): Array<{ name: string; title?: string; target: number; sli: SliInput }> | undefined {
    const p = o.place;
    const list = o.spec.objectives;
    if (list.length === 0) return this.report(p.problem('required: at least one objective with a target', ['spec', 'objectives']));
    const out: Array<{ name: string; title?: string; target: number; sli: SliInput }> = [];
    const names = new Map<string, number>();
    list.forEach((objective, k) => {
      const at = p.child('spec', 'objectives', k);
      for (const field of ['timeSliceTarget', 'timeSliceWindow'] as const) {
        if (objective[field] !== undefined) this.report(at.problem('only for Timeslices budgeting, which Headroom does not support (it budgets by occurrences)', [field]));
      }
      for (const field of ['indicator', 'indicatorRef', 'compositeWeight'] as const) {
        if (objective[field] !== undefined) {
          this.report(at.problem('composite SLOs (an indicator per objective) are not supported: give the SLO one indicator or indicatorRef and convert each part as its own SLO', [field]));
        }
      }
      const target = this.target(at, objective);
      const title = objective.name ?? objective.displayName;
      let name = o.name;
      if (list.length > 1) {
        const slug = (title ?? '').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
        if (!slug) {
          this.report(at.problem(`several objectives: give each a displayName (or name); Headroom makes one SLO per objective, named ${o.name}-<displayName>`));
          return;
        }
        name = `${o.name}-${slug}`;
        const other = names.get(name);
        if (other !== undefined) {
          this.report(at.problem(`gives the same Headroom SLO name (${name}) as objective ${other}; make the displayNames differ`, [objective.name !== undefined ? 'name' : 'displayName']));
          return;
        }
        names.set(name, k);
      }
      const converted = sli && this.sli(sli, objective, at);
      if (target !== undefined && converted) out.push({ name, title, target, sli: converted });
    });
    return out.length === list.length ? out : undefined;
  }

  private target(at: Place, objective: Objective): number | undefined {
    if (objective.target !== undefined && objective.targetPercent !== undefined) return this.report(at.problem('give target or targetPercent, not both', ['targetPercent']));
    if (objective.target !== undefined) {
      if (objective.target > 0 && objective.target < 1) return objective.target;
      return this.report(at.problem('must be above 0 and below 1, e.g. 0.999', ['target']));
    }
    if (objective.targetPercent !== undefined) {
      if (objective.targetPercent > 0 && objective.targetPercent < 100) return Number((objective.targetPercent / 100).toPrecision(12));
      return this.report(at.problem('must be above 0 and below 100, e.g. 99.9', ['targetPercent']));
    }
    return this.report(at.problem('required: target (e.g. 0.999) or targetPercent (e.g. 99.9)'));
  }

  private sli(sli: Resolved<SliSpec>, objective: Objective, objectivePlace: Place): SliInput | undefined {
    const at = sli.place.child('spec');
    const { ratioMetric, thresholdMetric } = sli.spec;
    if (ratioMetric && thresholdMetric) return this.report(at.problem('give ratioMetric or thresholdMetric, not both', ['thresholdMetric']));
    if (ratioMetric) {
      for (const field of ['op', 'value'] as const) {
        if (objective[field] !== undefined) this.report(objectivePlace.problem('only for a thresholdMetric SLI (this SLI is a ratioMetric)', [field]));
      }
      return this.ratio(at.child('ratioMetric'), ratioMetric);
    }
    if (thresholdMetric) return this.threshold(at.child('thresholdMetric'), thresholdMetric.metricSource, objective, objectivePlace);
    return this.report(at.problem('required: ratioMetric or thresholdMetric'));
  }

  private ratio(at: Place, r: NonNullable<SliSpec['ratioMetric']>): SliInput | undefined {
    const before = this.reported;
    if (r.raw || r.rawType) {
      this.report(at.problem('a precomputed ratio is not supported: Headroom needs event counts (good or bad, and total) to compute the burn rate of each alert window', [r.raw ? 'raw' : 'rawType']));
    }
    if (r.counter === false) {
      this.report(at.problem('counter: false (values that go up and down) is not supported: Headroom counts events, so good/bad and total must be counters read with rate() or increase()', ['counter']));
    }
    if (r.good && r.bad) this.report(at.problem('give good or bad, not both', ['bad']));
    if (!r.good && !r.bad && !r.raw) this.report(at.problem('required: good or bad, with total'));
    if (!r.total && !r.raw) this.report(at.problem('required: the query counting all events', ['total']));
    if (this.reported > before || !r.total) return undefined;
    const numeratorKey = r.good ? 'good' : 'bad';
    const numerator = (r.good ?? r.bad)!;
    const total = this.windowed(at.child('total', 'metricSource'), r.total.metricSource);
    const part = this.windowed(at.child(numeratorKey, 'metricSource'), numerator.metricSource);
    if (!total || !part) return undefined;
    if (total.server !== part.server) {
      return this.report(at.problem(`must query the same Prometheus as total (${total.server}, not ${part.server})`, [numeratorKey, 'metricSource']));
    }
    return {
      kind: 'events',
      source: 'prometheus',
      prometheus: {
        server: total.server,
        // Headroom's events SLI takes the bad events; good/total becomes total minus good. A
        // service that never failed has no error series, which Prometheus answers with no data:
        // `or vector(0)` reads that as zero errors (docs/alerts.md, Prometheus-backed SLOs).
        errorQuery: numeratorKey === 'bad' ? orZero(part.query) : `(${total.query}) - (${part.query})`,
        totalQuery: total.query,
      },
    };
  }

  private windowed(at: Place, source: MetricSource): { query: string; server: string } | undefined {
    const found = this.prometheus(at, source);
    if (!found) return undefined;
    const result = windowedQuery(found.query);
    if (!result.ok) return this.report(at.problem(`cannot be converted: ${result.reason}`, ['spec', 'query']));
    return { query: result.query, server: found.server };
  }

  private threshold(at: Place, source: MetricSource, objective: Objective, objectivePlace: Place): SliInput | undefined {
    const before = this.reported;
    if (objective.op === undefined) {
      this.report(objectivePlace.problem('required for a thresholdMetric SLI: op: lte (requests at or under value are good)', []));
    } else if (objective.op === 'lt') {
      this.note(objectivePlace.problem('op: lt is read as lte: histogram buckets count the requests at or under their bound', ['op']));
    } else if (objective.op !== 'lte') {
      this.report(
        objectivePlace.problem(
          ['gte', 'gt'].includes(objective.op)
            ? `op: ${objective.op} is not supported: a Headroom latency SLI counts the requests at or under a threshold (op: lte)`
            : 'must be lte, lt, gte or gt',
          ['op'],
        ),
      );
    }
    if (objective.value === undefined) this.report(objectivePlace.problem("required for a thresholdMetric SLI: the latency threshold, in the histogram's unit (seconds for *_seconds)", []));
    else if (objective.value <= 0) this.report(objectivePlace.problem('must be above 0', ['value']));
    const found = this.prometheus(at.child('metricSource'), source);
    if (this.reported > before || !found || objective.value === undefined) return undefined;
    const histogram = bucketSelector(found.query);
    if (!histogram.ok) return this.report(at.problem(`cannot be converted: ${histogram.reason}`, ['metricSource', 'spec', 'query']));
    if (!histogram.histogramMetric.endsWith('_seconds')) {
      this.note(objectivePlace.problem(`value ${objective.value} is compared with the le bounds of ${histogram.histogramMetric}_bucket and shown as seconds; make sure they use the same unit`, ['value']));
    }
    return {
      kind: 'latency',
      source: 'prometheus',
      threshold: objective.value,
      prometheus: { server: found.server, histogramMetric: histogram.histogramMetric, selector: histogram.selector },
    };
  }

  /** A metricSource that must be Prometheus with a `spec.query`; gives the query and server. */
  private prometheus(at: Place, source: MetricSource): { query: string; server: string } | undefined {
    const before = this.reported;
    const ref = source.metricSourceRef;
    const dataSource = ref === undefined ? undefined : this.objects.DataSource.get(ref);
    if (dataSource) this.used.add(dataSource as OpenSloObject<Kind>);
    const type = source.type ?? dataSource?.spec.type;
    if (type === undefined) {
      this.report(
        at.problem(
          ref === undefined
            ? 'required: type: Prometheus (or metricSourceRef naming a DataSource)'
            : `required: there is no DataSource named ${ref} in the given files, so write type: Prometheus`,
          ['type'],
        ),
      );
    } else if (type.toLowerCase() !== 'prometheus') {
      this.report(
        at.problem(
          `type ${type} is not supported: Headroom reads Prometheus queries (type: Prometheus); for another backend, push its metrics over OTLP and write a native SLO (docs/alerts.md)`,
          [source.type ? 'type' : 'metricSourceRef'],
        ),
      );
    } else if (dataSource && dataSource.spec.type.toLowerCase() !== 'prometheus') {
      this.report(dataSource.place.problem(`type ${dataSource.spec.type} is not supported: Headroom reads Prometheus (used by ${at.field()})`, ['spec', 'type']));
    }
    for (const key of Object.keys(source.spec)) {
      if (key !== 'query') this.report(at.problem('not supported for a Prometheus metric source: Headroom reads only spec.query', ['spec'], key));
    }
    const query = source.spec.query;
    if (typeof query !== 'string' || query.trim() === '') this.report(at.problem('required: the PromQL query, as a string', ['spec', 'query']));
    if (this.reported > before || typeof query !== 'string') return undefined;
    if (this.options.server) return { query, server: this.options.server };
    if (dataSource) this.serverSources.set(dataSource.name, dataSource);
    return { query, server: ref ?? 'default' };
  }

  /**
   * The SLO's alert policies as Headroom window pairs, undefined for the default pairs, or
   * null when a policy cannot be converted.
   */
  private alertWindows(p: Place, spec: SloSpec, period: { seconds: number; text: string }): WindowInput[] | undefined | null {
    const items = spec.alertPolicies ?? [];
    if (items.length === 0) {
      if (period.seconds < DEFAULT_WINDOW_PAIRS_LONGEST) {
        this.report(
          p.problem(
            `${period.text} is shorter than 3d, the longest window of Headroom's default burn-rate alerts: add alertPolicies with burnrate conditions whose lookbackWindow fits in ${period.text}`,
            ['spec', 'timeWindow', 0, 'duration'],
          ),
        );
        return null;
      }
      this.note(p.problem("no alertPolicies: Headroom alerts with its default burn-rate window pairs (docs/alerts.md, 'Burn-rate alerts')", ['spec']));
      return undefined;
    }
    const before = this.reported;
    const windows: WindowInput[] = [];
    items.forEach((item, i) => {
      const policy = this.resolve('AlertPolicy', 'alertPolicyRef', p.child('spec', 'alertPolicies', i), item);
      if (!policy) return;
      const s: AlertPolicySpec = policy.spec;
      if (s.alertWhenBreaching === false) {
        this.report(policy.place.problem('false is not supported: Headroom alerts when the burn rate breaches; leave the policy out of the SLO instead', ['spec', 'alertWhenBreaching']));
      }
      if (s.alertWhenNoData === true) {
        this.report(policy.place.problem('true is not supported: Headroom shows no-data on the SLO but does not alert on it; set it to false', ['spec', 'alertWhenNoData']));
      }
      if (s.alertWhenResolved === false) {
        this.note(policy.place.problem('Headroom still resolves the incident (and updates its page) when the burn stops', ['spec', 'alertWhenResolved']));
      }
      (s.notificationTargets ?? []).forEach((t) => {
        const target = t.targetRef === undefined ? undefined : this.objects.AlertNotificationTarget.get(t.targetRef);
        if (target) this.used.add(target as OpenSloObject<Kind>);
      });
      if (s.notificationTargets?.length) {
        this.note(policy.place.problem("not used: Headroom delivers pages through its escalation policy and Slack channel, not per-policy targets", ['spec', 'notificationTargets']));
      }
      const conditions = s.conditions ?? [];
      if (conditions.length === 0) {
        this.report(policy.place.problem('required: a burnrate condition (inline, or conditionRef)', ['spec', 'conditions']));
        return;
      }
      conditions.forEach((c, j) => {
        const condition = this.resolve('AlertCondition', 'conditionRef', policy.place.child('spec', 'conditions', j), c);
        if (!condition) return;
        const severity = this.severity(condition, policy);
        const window = this.window(condition.place.child('spec', 'condition'), condition.spec.condition, period);
        if (severity && window) windows.push({ severity, ...window });
      });
    });
    return this.reported > before ? null : windows;
  }

  /** An inline object or a reference to a document of that kind. */
  private resolve<K extends 'AlertPolicy' | 'AlertCondition'>(
    kind: K,
    refField: 'alertPolicyRef' | 'conditionRef',
    at: Place,
    item: { kind?: string; metadata?: Metadata; spec?: K extends 'AlertPolicy' ? AlertPolicySpec : AlertConditionSpec } & Partial<Record<typeof refField, string>>,
  ): Resolved<K extends 'AlertPolicy' ? AlertPolicySpec : AlertConditionSpec> | undefined {
    const ref = item[refField];
    if (ref !== undefined) {
      if (item.kind !== undefined || item.metadata !== undefined || item.spec !== undefined) {
        return this.report(at.problem(`give ${refField} or an inline ${kind} (kind, metadata, spec), not both`, [refField]));
      }
      const found = this.lookup(kind, ref, at, [refField]);
      return found && { place: found.place, metadata: found.metadata, spec: found.spec as K extends 'AlertPolicy' ? AlertPolicySpec : AlertConditionSpec };
    }
    if (item.kind !== kind) {
      return this.report(at.problem(item.kind === undefined ? `required: ${refField}: <name>, or an inline ${kind} with kind: ${kind}` : `must be ${kind}`, ['kind']));
    }
    if (!item.metadata) return this.report(at.problem(`required: the inline ${kind}'s metadata (name)`, ['metadata']));
    if (!item.spec) return this.report(at.problem(`required: the inline ${kind}'s spec`, ['spec']));
    this.checkAnnotations(at, item.metadata, kind);
    return { place: at, metadata: item.metadata, spec: item.spec };
  }

  /** Page or ticket: the headroom.dev/alert-severity annotation, else the severity words. */
  private severity(condition: Resolved<AlertConditionSpec>, policy: Resolved<AlertPolicySpec>): Severity | undefined {
    for (const o of [condition, policy]) {
      const value = o.metadata.annotations?.[ANNOTATIONS.alertSeverity];
      if (value === 'page' || value === 'ticket') return value;
      if (value !== undefined) return this.report(o.place.problem('must be page or ticket', ['metadata', 'annotations', ANNOTATIONS.alertSeverity]));
    }
    const fromCondition = severityOf(condition.spec.severity);
    if (fromCondition) return fromCondition;
    const label = policy.metadata.labels?.severity;
    const fromPolicy = severityOf(Array.isArray(label) ? String(label[0]) : label === undefined ? undefined : String(label));
    if (fromPolicy) return fromPolicy;
    return this.report(
      condition.place.problem(
        `"${condition.spec.severity}" does not say page or ticket: use ${SEVERITY_WORDS.page.slice(0, 4).join(', ')}… (page) or ${SEVERITY_WORDS.ticket.slice(0, 4).join(', ')}… (ticket), or annotate the AlertCondition with ${ANNOTATIONS.alertSeverity}: page|ticket`,
        ['spec', 'severity'],
      ),
    );
  }

  /** A burnrate condition as a window pair: long = lookbackWindow, short = 1/12 of it. */
  private window(at: Place, c: AlertConditionSpec['condition'], period: { seconds: number; text: string }): Omit<WindowInput, 'severity'> | undefined {
    const before = this.reported;
    const kind = c.kind ?? 'burnrate';
    if (kind !== 'burnrate') this.report(at.problem(`${kind} is not supported: Headroom alerts on burn rate (kind: burnrate)`, ['kind']));
    if (c.op !== undefined && c.op !== 'gte' && c.op !== 'gt') {
      this.report(
        at.problem(['lt', 'lte'].includes(c.op) ? `op: ${c.op} (alert while the burn rate is low) is not supported: use op: gte` : 'must be gte (or gt)', ['op']),
      );
    }
    if (c.threshold <= 0) this.report(at.problem('must be above 0 (a burn rate: 1 spends the error budget exactly over the time window)', ['threshold']));
    const long = this.duration(at, 'lookbackWindow', c.lookbackWindow);
    if (long === undefined || this.reported > before) return undefined;
    if (long > period.seconds) return this.report(at.problem(`${c.lookbackWindow} is longer than the SLO's time window (${period.text})`, ['lookbackWindow']));
    if (long % 12 !== 0) return this.report(at.problem("must be a multiple of 12 seconds: Headroom's short window is 1/12 of it", ['lookbackWindow']));
    const budgetShare = Number(((c.threshold * long) / period.seconds).toPrecision(12));
    if (budgetShare > 1) {
      return this.report(
        at.problem(
          `a burn rate of ${c.threshold} over ${c.lookbackWindow} spends ${Number((budgetShare * 100).toPrecision(4))}% of the ${period.text} error budget before it fires, more than all of it: lower the threshold or the lookbackWindow`,
          ['threshold'],
        ),
      );
    }
    const short = formatDuration(long / 12);
    if (c.alertAfter !== undefined && !/^0[a-zA-Z]?$/.test(c.alertAfter)) {
      this.note(
        at.problem(
          `not applied as a hold time: Headroom confirms the burn with a short window (${short}, 1/12 of lookbackWindow) that must breach too, which also ends the alert soon after the burn stops`,
          ['alertAfter'],
        ),
      );
    }
    return { long: formatDuration(long), short, budgetShare };
  }

  private server(ds: OpenSloObject<'DataSource'>): ConvertedServer[] {
    const before = this.reported;
    const at = ds.place.child('spec', 'connectionDetails');
    const details = ds.spec.connectionDetails;
    for (const key of Object.keys(details)) {
      if (key !== 'url') {
        this.report(
          at.problem(
            `not read by Headroom: a DataSource gives only url; for credentials, define the server in an alerts file (prometheus: with name ${ds.name}, bearerTokenFile or basicAuth) and drop the DataSource`,
            [],
            key,
          ),
        );
      }
    }
    const url = details.url;
    if (typeof url !== 'string' || !URL.canParse(url)) this.report(at.problem('required: the URL of the Prometheus HTTP API, e.g. http://prometheus:9090', ['url']));
    if (this.reported > before || typeof url !== 'string') return [];
    return [{ server: { name: ds.name, url }, file: ds.place.file, line: ds.place.line(['metadata', 'name']), label: ds.place.label }];
  }

  private checkAnnotations(at: Place, metadata: Metadata, kind: Kind): void {
    const allowed = ANNOTATIONS_BY_KIND[kind];
    for (const key of Object.keys(metadata.annotations ?? {})) {
      if (key.startsWith('headroom.dev/') && !allowed.includes(key)) {
        this.report(at.problem(`unknown Headroom annotation on ${kind === 'SLI' ? 'an' : 'a'} ${kind}${allowed.length ? ` (it takes ${allowed.join(', ')})` : ''}`, ['metadata', 'annotations'], key));
      }
    }
  }
}

/** Page or ticket from a severity word, undefined when the word is not in the table. */
export function severityOf(word: string | undefined): Severity | undefined {
  if (word === undefined) return undefined;
  const w = word.toLowerCase().replace(/[-_\s]/g, '');
  if (SEVERITY_WORDS.page.includes(w)) return 'page';
  if (SEVERITY_WORDS.ticket.includes(w)) return 'ticket';
  return undefined;
}

function orZero(query: string): string {
  return /\bor\s+vector\(\s*0\s*\)\s*$/.test(query) ? query : `${query} or vector(0)`;
}

/** Drops undefined properties, so generated YAML has no empty keys. */
function defined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
