import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { RulesError, parseYamlStrict, type RuleProblem } from './yaml-source';
import { routesFieldSchema, toRoute, type Route } from './route-definition';

// Only the `routes:` key: the SLO loader validates the rest of each file (strictly).
const routesOnly = z.object({ routes: routesFieldSchema.optional() });

/**
 * Loads the routes of every alerts/*.yaml file, in file-name order and then file order (the
 * first matching route wins). Problems come back together, with file, line and field.
 */
export function loadRoutes(alertsDir: string, runbookExists: (file: string) => boolean): Route[] {
  if (!fs.existsSync(alertsDir)) return [];
  const files = fs
    .readdirSync(alertsDir)
    .filter((f) => f.endsWith('.yaml') || f.endsWith('.yml'))
    .sort();
  const problems: RuleProblem[] = [];
  const routes: Route[] = [];
  const seen = new Map<string, string>();
  for (const name of files) {
    const file = path.join(alertsDir, name);
    const rel = path.relative(process.cwd(), file) || file;
    const text = fs.readFileSync(file, 'utf8');
    // Files without a top-level routes: key (SLO files, OpenSLO documents) are not ours to read.
    if (!/^routes\s*:/m.test(text)) continue;
    let parsed: z.infer<typeof routesOnly>;
    try {
      parsed = parseYamlStrict(rel, text, routesOnly);
    } catch (err) {
      if (err instanceof RulesError) {
        problems.push(...err.problems);
        continue;
      }
      throw err;
    }
    (parsed.routes ?? []).forEach((spec, index) => {
      const line = lineOfRoute(text, spec.name);
      if (seen.has(spec.name)) {
        problems.push({ file: rel, line, field: `routes.${index}.name`, message: `duplicate route ${spec.name} (also in ${seen.get(spec.name)})` });
        return;
      }
      seen.set(spec.name, rel);
      if (spec.runbook && !runbookExists(spec.runbook)) {
        problems.push({ file: rel, line, field: `routes.${index}.runbook`, message: `runbook ${spec.runbook} not found in runbooks/` });
      }
      routes.push(toRoute(spec, rel));
    });
  }
  if (problems.length > 0) throw new RulesError(problems);
  return routes;
}

function lineOfRoute(text: string, name: string): number {
  const section = Math.max(0, text.search(/^routes:/m));
  const at = text.indexOf(`name: ${name}`, section);
  return at < 0 ? 1 : text.slice(0, at).split('\n').length;
}
