import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseDuration } from '../common/duration';
import { RulesError, parseYamlStrict, type RuleProblem } from './yaml-source';
import { toExperimentDefinition, type ExperimentDefinition } from './experiment-definition';
import { alertFileSchema, toSloDefinition, type PrometheusServer, type SloDefinition } from './slo-definition';
import { isOpenSloText, mergeOpenSloRules, type OpenSloSource } from './openslo/openslo-rules';

export interface RuleSet {
  slos: SloDefinition[];
  prometheusServers: PrometheusServer[];
  experiments: ExperimentDefinition[];
}

/**
 * Loads every alerts/*.yaml file. All problems in all files are collected before failing, so
 * one run of `headroom validate` shows everything to fix. `runbookExists` checks each link.
 */
export function loadRules(alertsDir: string, runbookExists: (file: string) => boolean): RuleSet {
  if (!fs.existsSync(alertsDir)) {
    throw new RulesError([{ file: alertsDir, line: 1, field: '', message: 'alerts folder does not exist' }]);
  }
  const files = fs
    .readdirSync(alertsDir)
    .filter((f) => f.endsWith('.yaml') || f.endsWith('.yml'))
    .sort();
  const problems: RuleProblem[] = [];
  const slos: SloDefinition[] = [];
  const prometheusServers: PrometheusServer[] = [];
  const seen = new Map<string, string>();
  const experiments: ExperimentDefinition[] = [];
  const seenExperiments = new Map<string, string>();
  const openSlo: OpenSloSource[] = [];
  for (const name of files) {
    const file = path.join(alertsDir, name);
    const rel = path.relative(process.cwd(), file) || file;
    const text = fs.readFileSync(file, 'utf8');
    if (isOpenSloText(text)) {
      openSlo.push({ file: rel, text });
      continue;
    }
    try {
      const parsed = parseYamlStrict(rel, text, alertFileSchema);
      for (const server of parsed.prometheus ?? []) {
        if (prometheusServers.some((p) => p.name === server.name)) {
          problems.push({ file: rel, line: lineOf(text, `name: ${server.name}`), field: 'prometheus', message: `duplicate Prometheus server ${server.name}` });
        } else prometheusServers.push({ ...server, timeoutSeconds: parseDuration(server.timeout) });
      }
      (parsed.slos ?? []).forEach((slo, index) => {
        const id = `${parsed.service}.${slo.name}`;
        const line = lineOf(text, `name: ${slo.name}`);
        if (seen.has(id)) {
          problems.push({ file: rel, line, field: `slos.${index}.name`, message: `duplicate SLO ${id} (also in ${seen.get(id)})` });
          return;
        }
        seen.set(id, rel);
        if (!runbookExists(slo.runbook)) {
          problems.push({ file: rel, line: lineOf(text, `runbook: ${slo.runbook}`), field: `slos.${index}.runbook`, message: `runbook ${slo.runbook} not found in runbooks/` });
        }
        slos.push(toSloDefinition(parsed.service!, slo, rel));
      });
      (parsed.experiments ?? []).forEach((spec, index) => {
        const section = Math.max(0, text.search(/^experiments:/m));
        const at = text.indexOf(`name: ${spec.name}`, section);
        const line = at < 0 ? 1 : text.slice(0, at).split('\n').length;
        if (seenExperiments.has(spec.name)) {
          problems.push({ file: rel, line, field: `experiments.${index}.name`, message: `duplicate experiment ${spec.name} (also in ${seenExperiments.get(spec.name)})` });
          return;
        }
        seenExperiments.set(spec.name, rel);
        if (spec.runbook && !runbookExists(spec.runbook)) {
          problems.push({ file: rel, line, field: `experiments.${index}.runbook`, message: `runbook ${spec.runbook} not found in runbooks/` });
        }
        experiments.push(toExperimentDefinition(spec, rel));
      });
    } catch (err) {
      if (err instanceof RulesError) problems.push(...err.problems);
      else throw err;
    }
  }
  // OpenSLO files (apiVersion: openslo/v1) reference each other across files: converted together.
  if (openSlo.length > 0) mergeOpenSloRules(openSlo, { slos, prometheusServers, problems, seen, runbookExists });
  // A Prometheus-backed SLO must name a server that exists.
  slos.forEach((slo) => {
    if (slo.sli.source === 'prometheus' && !prometheusServers.some((p) => p.name === (slo.sli as { server: string }).server)) {
      problems.push({ file: slo.file, line: 1, field: `${slo.name}.sli.prometheus.server`, message: `no Prometheus server named ${(slo.sli as { server: string }).server} (define it under prometheus: in an alerts file)` });
    }
  });
  if (problems.length > 0) throw new RulesError(problems);
  return { slos, prometheusServers, experiments };
}

function lineOf(text: string, needle: string): number {
  const at = text.indexOf(needle);
  return at < 0 ? 1 : text.slice(0, at).split('\n').length;
}
