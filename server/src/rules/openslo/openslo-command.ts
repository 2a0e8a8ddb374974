import * as fs from 'node:fs';
import * as path from 'node:path';
import { stringify } from 'yaml';
import { alertFileSchema } from '../slo-definition';
import { RulesError, formatProblem, parseYamlStrict, type RuleProblem } from '../yaml-source';
import { convertOpenSlo, type AlertFileInput, type Conversion } from './openslo-converter';
import { isOpenSloText, type OpenSloSource } from './openslo-documents';

export const OPENSLO_USAGE = `  openslo import <files or folders…> [--out FILE.yaml|FOLDER] [--runbook FILE.md] [--server NAME]
                     convert OpenSLO v1 documents into Headroom SLO files: printed, or
                     written to --out (one file, or one file per service in a folder)
`;

/** First line of every file the import writes; a file without it is never overwritten. */
export const GENERATED_MARKER = '# Converted from OpenSLO by `headroom openslo import`.';

export interface CommandOutput {
  stdout(text: string): void;
  stderr(text: string): void;
}

interface ImportArgs {
  inputs: string[];
  out?: string;
  runbook?: string;
  server?: string;
}

/**
 * `headroom openslo import`: converts, checks every generated file against the SLO file
 * schema, and only then prints or writes them (so nothing half-converted is left behind).
 * Returns the exit code: 0, 64 for a usage error, `exitInvalid` when the input cannot be
 * converted.
 */
export function runOpenSloCommand(argv: string[], out: CommandOutput, exitInvalid: number): number {
  const args = parseArgs(argv);
  if (typeof args === 'string') {
    out.stderr(`headroom openslo: ${args}\n\nUsage:\n${OPENSLO_USAGE}`);
    return 64;
  }
  const fail = (problems: RuleProblem[], what = 'cannot convert the OpenSLO files') => {
    out.stderr(`headroom openslo: ${what}:\n${problems.map(formatProblem).join('\n')}\n`);
    return exitInvalid;
  };

  const { sources, problems: readProblems, skipped } = readInputs(args.inputs);
  for (const file of skipped) out.stderr(`note: ${file}: skipped, not an OpenSLO file (no apiVersion: openslo/v1)\n`);
  if (readProblems.length) return fail(readProblems);

  const conversion = convertOpenSlo(sources, { runbook: args.runbook, server: args.server });
  for (const note of conversion.notes) out.stderr(`note: ${formatProblem(note)}\n`);
  if (conversion.problems.length) return fail(conversion.problems);
  if (conversion.slos.length === 0) return fail([{ file: args.inputs.join(', '), line: 1, field: '', message: 'no SLO documents (kind: SLO) to convert' }]);

  const files = headroomFiles(conversion);
  if (typeof files === 'string') return fail([{ file: args.inputs.join(', '), line: 1, field: '', message: files }]);

  const header = `${GENERATED_MARKER}\n# Sources: ${sources.map((s) => s.file).join(', ')}\n# Change the OpenSLO files and import again, or delete the first line to keep hand edits.\n`;
  const target = args.out;
  const singleFile = target !== undefined && /\.ya?ml$/.test(target);
  if (singleFile && files.length > 1) {
    return fail([{ file: target, line: 1, field: '', message: `the OpenSLO files describe ${files.length} services (${files.map((f) => f.service).join(', ')}): give --out a folder to write one file per service` }]);
  }
  const planned = files.map((f) => {
    const file = target === undefined ? `${f.service}.yaml` : singleFile ? target : path.join(target, `${f.service}.yaml`);
    return { file, text: `${header}${stringify(f, { lineWidth: 0, aliasDuplicateObjects: false })}`, count: f.slos?.length ?? 0 };
  });

  // What is written must load: run every file through the schema first.
  const invalid: RuleProblem[] = [];
  for (const p of planned) {
    try {
      parseYamlStrict(p.file, p.text, alertFileSchema);
    } catch (err) {
      if (err instanceof RulesError) invalid.push(...err.problems);
      else throw err;
    }
  }
  if (invalid.length) return fail(invalid, 'the converted SLO file does not pass the schema (a bug in the converter; please report it)');

  if (target === undefined) {
    out.stdout(planned.map((p) => (planned.length > 1 ? `# ${p.file}\n${p.text}` : p.text)).join('---\n'));
    return 0;
  }
  const refused = planned.filter((p) => fs.existsSync(p.file) && !fs.readFileSync(p.file, 'utf8').startsWith(GENERATED_MARKER));
  if (refused.length) {
    return fail(
      refused.map((p) => ({ file: p.file, line: 1, field: '', message: 'exists and was not written by openslo import (or was edited and unmarked): not overwritten; choose another --out' })),
    );
  }
  for (const p of planned) {
    fs.mkdirSync(path.dirname(p.file), { recursive: true });
    const temp = `${p.file}.${process.pid}.tmp`;
    fs.writeFileSync(temp, p.text);
    fs.renameSync(temp, p.file);
    out.stdout(`wrote ${p.file} (${p.count} SLO${p.count === 1 ? '' : 's'})\n`);
  }
  out.stdout('check the folder with: npm run headroom -- validate (HEADROOM_ALERTS_DIR selects another folder)\n');
  return 0;
}

function parseArgs(argv: string[]): ImportArgs | string {
  const [command, ...rest] = argv;
  if (command !== 'import') return command === undefined ? 'missing command' : `unknown command: openslo ${command}`;
  const args: ImportArgs = { inputs: [] };
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    const flag = /^--(out|runbook|server)(?:=(.*))?$/.exec(arg);
    if (flag) {
      const value = flag[2] ?? rest[++i];
      if (value === undefined || value === '' || value.startsWith('--')) return `--${flag[1]} needs a value`;
      args[flag[1] as 'out' | 'runbook' | 'server'] = value;
    } else if (arg.startsWith('--')) {
      return `unknown option ${arg}`;
    } else args.inputs.push(arg);
  }
  if (args.inputs.length === 0) return 'name at least one OpenSLO file or folder';
  return args;
}

/** Files as given; folders contribute their *.yaml and *.yml files that hold OpenSLO documents. */
function readInputs(inputs: string[]): { sources: OpenSloSource[]; problems: RuleProblem[]; skipped: string[] } {
  const sources: OpenSloSource[] = [];
  const problems: RuleProblem[] = [];
  const skipped: string[] = [];
  // Relative to the working directory when inside it, so messages match what was typed.
  const show = (file: string) => {
    const relative = path.relative(process.cwd(), file);
    return relative && !relative.startsWith('..') ? relative : path.resolve(file);
  };
  for (const input of inputs) {
    if (!fs.existsSync(input)) {
      problems.push({ file: input, line: 1, field: '', message: 'no such file or folder' });
      continue;
    }
    if (fs.statSync(input).isDirectory()) {
      const names = fs.readdirSync(input).filter((n) => /\.ya?ml$/.test(n)).sort();
      for (const name of names) {
        const file = path.join(input, name);
        const text = fs.readFileSync(file, 'utf8');
        if (isOpenSloText(text)) sources.push({ file: show(file), text });
        else skipped.push(show(file));
      }
      if (names.length === 0) problems.push({ file: input, line: 1, field: '', message: 'no .yaml or .yml files in this folder' });
    } else {
      sources.push({ file: show(input), text: fs.readFileSync(input, 'utf8') });
    }
  }
  return { sources, problems, skipped };
}

/** One Headroom SLO file per service; Prometheus servers from DataSources go in the first. */
function headroomFiles(conversion: Conversion): Array<AlertFileInput & { service: string }> | string {
  const byService = new Map<string, AlertFileInput & { service: string }>();
  const ids = new Map<string, string>();
  for (const c of conversion.slos) {
    const id = `${c.service}.${c.slo.name}`;
    if (ids.has(id)) return `two SLOs convert to the same id ${id} (${ids.get(id)} and ${c.label}); rename one`;
    ids.set(id, c.label);
    const file = byService.get(c.service) ?? { service: c.service, slos: [] };
    file.slos!.push(c.slo);
    byService.set(c.service, file);
  }
  const files = [...byService.values()];
  if (conversion.prometheusServers.length) files[0].prometheus = conversion.prometheusServers.map((s) => s.server);
  return files;
}
