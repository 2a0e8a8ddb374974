import { parseDuration } from '../../common/duration';
import { alertFileSchema, toSloDefinition, type PrometheusServer, type SloDefinition } from '../slo-definition';
import type { RuleProblem } from '../yaml-source';
import { convertOpenSlo } from './openslo-converter';
import type { OpenSloSource } from './openslo-documents';

export { isOpenSloText, type OpenSloSource } from './openslo-documents';

/** What loadRules has gathered from the native files, which the OpenSLO SLOs join. */
export interface NativeRules {
  slos: SloDefinition[];
  prometheusServers: PrometheusServer[];
  problems: RuleProblem[];
  /** SLO id → file that defined it. */
  seen: Map<string, string>;
  runbookExists: (file: string) => boolean;
}

/**
 * Converts the OpenSLO files found in alerts/ (all together: their documents reference each
 * other across files) and merges them into the native rules, with the same checks as native
 * SLOs: unique SLO ids and Prometheus server names, runbooks that exist.
 */
export function mergeOpenSloRules(sources: OpenSloSource[], rules: NativeRules): void {
  const conversion = convertOpenSlo(sources);
  rules.problems.push(...conversion.problems);
  for (const { server, file, line, label } of conversion.prometheusServers) {
    const parsed = alertFileSchema.parse({ prometheus: [server] }).prometheus![0];
    if (rules.prometheusServers.some((p) => p.name === parsed.name)) {
      rules.problems.push({ file, line, field: label, message: `duplicate Prometheus server ${parsed.name}: another alerts file defines a server with this name` });
    } else rules.prometheusServers.push({ ...parsed, timeoutSeconds: parseDuration(parsed.timeout), rateWindowSeconds: parseDuration(parsed.rateWindow) });
  }
  const missingRunbooks = new Set<string>();
  for (const c of conversion.slos) {
    const id = `${c.service}.${c.slo.name}`;
    const earlier = rules.seen.get(id);
    if (earlier !== undefined) {
      rules.problems.push({ file: c.file, line: c.line, field: c.label, message: `duplicate SLO ${id} (also in ${earlier})` });
      continue;
    }
    rules.seen.set(id, c.file);
    // Once per annotation, although each objective of the SLO became a Headroom SLO.
    if (!rules.runbookExists(c.slo.runbook) && !missingRunbooks.has(c.runbookField)) {
      missingRunbooks.add(c.runbookField);
      rules.problems.push({ file: c.file, line: c.runbookLine, field: c.runbookField, message: `runbook ${c.slo.runbook} not found in runbooks/` });
    }
    // The converter already ran the SLO through the schema; parse again for the defaults.
    const parsed = alertFileSchema.parse({ service: c.service, slos: [c.slo] });
    rules.slos.push(toSloDefinition(c.service, parsed.slos![0], c.file));
  }
}
