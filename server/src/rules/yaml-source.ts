import { LineCounter, parseDocument, isMap, isScalar, type Document, type Node } from 'yaml';
import type { ZodType } from 'zod';

/** A problem in a YAML file, located so that a person can go straight to it. */
export interface RuleProblem {
  file: string;
  line: number;
  field: string;
  message: string;
}

export class RulesError extends Error {
  constructor(readonly problems: RuleProblem[]) {
    super(problems.map(formatProblem).join('\n'));
    this.name = 'RulesError';
  }
}

export function formatProblem(p: RuleProblem): string {
  return `${p.file}:${p.line}: ${p.field || '(document)'}: ${p.message}`;
}

type PathKey = string | number;

function nodeLine(doc: Document, lines: LineCounter, path: PathKey[], key?: string): number {
  // Walk down as far as the path exists; report the deepest node we found.
  for (let depth = path.length; depth >= 0; depth--) {
    const node = (depth === 0 ? doc.contents : doc.getIn(path.slice(0, depth), true)) as Node | null;
    if (!node) continue;
    if (key !== undefined && depth === path.length && isMap(node)) {
      const pair = node.items.find((it) => isScalar(it.key) && it.key.value === key);
      const keyNode = pair?.key as Node | undefined;
      if (keyNode?.range) return lines.linePos(keyNode.range[0]).line;
    }
    if (node.range) return lines.linePos(node.range[0]).line;
  }
  return 1;
}

/**
 * Parses one YAML file and validates it against a strict zod schema. Every problem (syntax,
 * unknown field, wrong type) comes back with file, line and field.
 */
export function parseYamlStrict<T>(file: string, text: string, schema: ZodType<T>): T {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new RulesError(
      doc.errors.map((e) => ({
        file,
        line: e.linePos?.[0]?.line ?? lines.linePos(e.pos[0]).line,
        field: '',
        message: `YAML syntax: ${e.message.split('\n')[0]}`,
      })),
    );
  }
  const result = schema.safeParse(doc.toJS());
  if (result.success) return result.data;
  const problems: RuleProblem[] = [];
  for (const issue of result.error.issues) {
    const path = issue.path as PathKey[];
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        problems.push({
          file,
          line: nodeLine(doc, lines, path, key),
          field: [...path, key].join('.'),
          message: 'unknown field',
        });
      }
    } else {
      problems.push({ file, line: nodeLine(doc, lines, path), field: path.join('.'), message: issue.message });
    }
  }
  throw new RulesError(problems);
}
