import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { RulesError, parseYamlStrict, type RuleProblem } from '../rules/yaml-source';
import { escalationPolicySchema, toPolicySnapshot, type EscalationPolicySnapshot } from './escalation-policy';
import { scheduleSchema, type Schedule } from './schedule-definition';

// Only these keys: the SLO loader validates the rest of each file (strictly).
const oncallOnly = z.object({
  schedules: z.array(scheduleSchema).optional(),
  escalationPolicies: z.array(escalationPolicySchema).optional(),
});

export interface LoadedSchedule {
  schedule: Schedule;
  file: string;
}

export interface LoadedPolicy {
  policy: EscalationPolicySnapshot;
  file: string;
  line: number;
}

export interface OncallRules {
  schedules: LoadedSchedule[];
  policies: Map<string, LoadedPolicy>;
}

/**
 * Loads `schedules:` and `escalationPolicies:` from every alerts/*.yaml file. Strict: every
 * problem comes back with file, line and field, all files together. Participants are emails of
 * Headroom users; that they exist is checked at run time (OncallService), not here, so the
 * rules validate without a database.
 */
export function loadOncall(alertsDir: string): OncallRules {
  const out: OncallRules = { schedules: [], policies: new Map() };
  if (!fs.existsSync(alertsDir)) return out;
  const files = fs
    .readdirSync(alertsDir)
    .filter((f) => f.endsWith('.yaml') || f.endsWith('.yml'))
    .sort();
  const problems: RuleProblem[] = [];
  const scheduleFiles = new Map<string, string>();
  const stepSchedules: Array<{ file: string; line: number; field: string; schedule: string }> = [];
  for (const name of files) {
    const file = path.join(alertsDir, name);
    const rel = path.relative(process.cwd(), file) || file;
    const text = fs.readFileSync(file, 'utf8');
    if (!/^(schedules|escalationPolicies)\s*:/m.test(text)) continue;
    let parsed: z.infer<typeof oncallOnly>;
    try {
      parsed = parseYamlStrict(rel, text, oncallOnly);
    } catch (err) {
      if (err instanceof RulesError) {
        problems.push(...err.problems);
        continue;
      }
      throw err;
    }
    (parsed.schedules ?? []).forEach((schedule, index) => {
      const line = lineIn(text, 'schedules', `id: ${schedule.id}`);
      if (scheduleFiles.has(schedule.id)) {
        problems.push({ file: rel, line, field: `schedules.${index}.id`, message: `duplicate schedule ${schedule.id} (also in ${scheduleFiles.get(schedule.id)})` });
        return;
      }
      scheduleFiles.set(schedule.id, rel);
      out.schedules.push({ schedule, file: rel });
    });
    (parsed.escalationPolicies ?? []).forEach((spec, index) => {
      const line = lineIn(text, 'escalationPolicies', `name: ${spec.name}`);
      const other = out.policies.get(spec.name);
      if (other) {
        problems.push({ file: rel, line, field: `escalationPolicies.${index}.name`, message: `duplicate escalation policy ${spec.name} (also in ${other.file})` });
        return;
      }
      spec.steps.forEach((step, s) => {
        if (step.notify.schedule) {
          stepSchedules.push({ file: rel, line: lineIn(text, 'escalationPolicies', `schedule: ${step.notify.schedule}`, line), field: `escalationPolicies.${index}.steps.${s}.notify.schedule`, schedule: step.notify.schedule });
        }
      });
      out.policies.set(spec.name, { policy: toPolicySnapshot(spec), file: rel, line });
    });
  }
  for (const ref of stepSchedules) {
    if (!scheduleFiles.has(ref.schedule)) {
      const known = [...scheduleFiles.keys()];
      problems.push({ file: ref.file, line: ref.line, field: ref.field, message: `no schedule ${ref.schedule} (schedules: ${known.length ? known.join(', ') : 'none defined'})` });
    }
  }
  if (problems.length > 0) throw new RulesError(problems);
  return out;
}

/** Problems for routes that name an escalation policy nobody defined. */
export function routePolicyProblems(routes: ReadonlyArray<{ name: string; file: string; escalationPolicy: string | null }>, policies: ReadonlyMap<string, unknown>): RuleProblem[] {
  return routes
    .filter((r) => r.escalationPolicy !== null && !policies.has(r.escalationPolicy))
    .map((r) => ({
      file: r.file,
      line: lineOfFile(r.file, `name: ${r.name}`),
      field: `routes.${r.name}.escalationPolicy`,
      message: `no escalation policy ${r.escalationPolicy} (policies: ${[...policies.keys()].join(', ') || 'none defined'})`,
    }));
}

function lineIn(text: string, section: string, needle: string, from = 1): number {
  const start = Math.max(0, text.search(new RegExp(`^${section}:`, 'm')));
  const lineStart = from > 1 ? text.split('\n').slice(0, from - 1).join('\n').length : start;
  const at = text.indexOf(needle, Math.max(start, lineStart));
  return at < 0 ? 1 : text.slice(0, at).split('\n').length;
}

function lineOfFile(file: string, needle: string): number {
  try {
    const text = fs.readFileSync(file, 'utf8');
    const at = text.indexOf(needle);
    return at < 0 ? 1 : text.slice(0, at).split('\n').length;
  } catch {
    return 1;
  }
}
