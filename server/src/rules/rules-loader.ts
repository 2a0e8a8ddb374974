import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseDuration } from '../common/duration';
import { RulesError, parseYamlStrict, type RuleProblem } from './yaml-source';
import { toExperimentDefinition, type ExperimentDefinition } from './experiment-definition';
import { toHeartbeatDefinition, type HeartbeatDefinition } from './heartbeat-definition';
import { toRollbackHook, toRollbackPolicy, type RollbackHook, type RollbackPolicy } from './rollback-definition';
import { alertFileSchema, toSloDefinition, type PrometheusServer, type SloDefinition } from './slo-definition';
import { isOpenSloText, mergeOpenSloRules, type OpenSloSource } from './openslo/openslo-rules';
import { NO_INHIBITION, toInhibitRule, type InhibitRule, type Inhibition } from './inhibit-rule';

export interface RuleSet {
  slos: SloDefinition[];
  prometheusServers: PrometheusServer[];
  experiments: ExperimentDefinition[];
  rollbackHooks: RollbackHook[];
  rollbackPolicies: RollbackPolicy[];
  heartbeats: HeartbeatDefinition[];
  /** inhibitRules, dependsOn and dependencyLinks of every file (inhibit-rule.ts). */
  inhibition: Inhibition;
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
  const rollbackHooks: RollbackHook[] = [];
  const rollbackPolicies: RollbackPolicy[] = [];
  const heartbeats: HeartbeatDefinition[] = [];
  const policyLines = new Map<string, { file: string; line: number; index: number }>();
  const inhibitRules: InhibitRule[] = [];
  const dependsOn = new Map<string, string[]>();
  let links: { file: string; windowSeconds: number; pageAtBurnRatio: number } | null = null;
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
        } else prometheusServers.push({ ...server, timeoutSeconds: parseDuration(server.timeout), rateWindowSeconds: parseDuration(server.rateWindow) });
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
      (parsed.rollbackHooks ?? []).forEach((spec, index) => {
        const line = lineIn(text, 'rollbackHooks', `name: ${spec.name}`);
        const other = rollbackHooks.find((h) => h.name === spec.name);
        if (other) problems.push({ file: rel, line, field: `rollbackHooks.${index}.name`, message: `duplicate rollback hook ${spec.name} (also in ${other.file})` });
        else rollbackHooks.push(toRollbackHook(spec, rel));
      });
      (parsed.rollbackPolicies ?? []).forEach((spec, index) => {
        const line = lineIn(text, 'rollbackPolicies', `name: ${spec.name}`);
        const other = rollbackPolicies.find((p) => p.name === spec.name);
        if (other) problems.push({ file: rel, line, field: `rollbackPolicies.${index}.name`, message: `duplicate rollback policy ${spec.name} (also in ${other.file})` });
        else {
          rollbackPolicies.push(toRollbackPolicy(spec, rel));
          policyLines.set(spec.name, { file: rel, line: lineIn(text, 'rollbackPolicies', `hook: ${spec.hook}`, line), index });
        }
      });
      (parsed.heartbeats ?? []).forEach((spec, index) => {
        const line = lineIn(text, 'heartbeats', `name: ${spec.name}`);
        const other = heartbeats.find((h) => h.name === spec.name);
        if (other) {
          problems.push({ file: rel, line, field: `heartbeats.${index}.name`, message: `duplicate heartbeat ${spec.name} (also in ${other.file})` });
          return;
        }
        if (spec.runbook && !runbookExists(spec.runbook)) {
          problems.push({ file: rel, line: lineIn(text, 'heartbeats', `runbook: ${spec.runbook}`, line), field: `heartbeats.${index}.runbook`, message: `runbook ${spec.runbook} not found in runbooks/` });
        }
        heartbeats.push(toHeartbeatDefinition(spec, rel));
      });
      (parsed.inhibitRules ?? []).forEach((spec, index) => inhibitRules.push(toInhibitRule(spec, rel, index)));
      // A service may be split over several files: its dependencies add up.
      if (parsed.dependsOn && parsed.service) dependsOn.set(parsed.service, [...new Set([...(dependsOn.get(parsed.service) ?? []), ...parsed.dependsOn])]);
      if (parsed.dependencyLinks) {
        if (links) problems.push({ file: rel, line: lineOf(text, 'dependencyLinks:'), field: 'dependencyLinks', message: `defined twice (also in ${links.file}); keep one` });
        else links = { file: rel, windowSeconds: parseDuration(parsed.dependencyLinks.window), pageAtBurnRatio: parsed.dependencyLinks.pageAtBurnRatio };
      }
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
  // A policy names a hook declared in some file (hooks and policies may live in different files).
  for (const policy of rollbackPolicies) {
    if (rollbackHooks.some((h) => h.name === policy.hook)) continue;
    const at = policyLines.get(policy.name)!;
    problems.push({ file: at.file, line: at.line, field: `rollbackPolicies.${at.index}.hook`, message: `no rollback hook named ${policy.hook} (declare it under rollbackHooks: in an alerts file)` });
  }
  if (problems.length > 0) throw new RulesError(problems);
  const inhibition: Inhibition = {
    rules: inhibitRules,
    dependsOn,
    windowSeconds: links?.windowSeconds ?? NO_INHIBITION.windowSeconds,
    pageAtBurnRatio: links?.pageAtBurnRatio ?? NO_INHIBITION.pageAtBurnRatio,
  };
  return { slos, prometheusServers, experiments, rollbackHooks, rollbackPolicies, heartbeats, inhibition };
}

/** The line of `needle` after the top-level `section:` key (and after `from`, a line number). */
function lineIn(text: string, section: string, needle: string, fromLine = 1): number {
  const sectionAt = Math.max(0, text.search(new RegExp(`^${section}:`, 'm')));
  const fromAt = text.split('\n').slice(0, fromLine - 1).join('\n').length;
  const at = text.indexOf(needle, Math.max(sectionAt, fromAt));
  return at < 0 ? 1 : text.slice(0, at).split('\n').length;
}

function lineOf(text: string, needle: string): number {
  const at = text.indexOf(needle);
  return at < 0 ? 1 : text.slice(0, at).split('\n').length;
}
