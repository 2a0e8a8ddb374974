import { LineCounter, isMap, isScalar, isSeq, parseAllDocuments, type Document, type Node } from 'yaml';
import type { RuleProblem } from '../yaml-source';
import { KINDS, OPENSLO_V1, documentSchemas, type Kind, type Metadata, type SpecOf } from './openslo-schema';

/** One file of OpenSLO documents (YAML, `---`-separated). `file` is what messages show. */
export interface OpenSloSource {
  file: string;
  text: string;
}

export type PathKey = string | number;

interface ParsedDocument {
  file: string;
  yaml: Document;
  lines: LineCounter;
  /** Kind/name of the top-level document, the way kubectl names objects. */
  label: string;
}

/**
 * A place in a document (a top-level document, or an object inlined in one), so that every
 * problem names file, line, the document and the field path from the document's root.
 */
export class Place {
  constructor(
    private readonly document: ParsedDocument,
    readonly base: PathKey[],
  ) {}

  get file(): string {
    return this.document.file;
  }

  get label(): string {
    return this.document.label;
  }

  child(...path: PathKey[]): Place {
    return new Place(this.document, [...this.base, ...path]);
  }

  line(path: PathKey[] = [], key?: string): number {
    return nodeLine(this.document.yaml, this.document.lines, [...this.base, ...path], key);
  }

  field(path: PathKey[] = []): string {
    const full = [...this.base, ...path];
    return full.length ? `${this.label} ${full.join('.')}` : this.label;
  }

  /** A problem at `path` below this place; `key` points at a mapping key (unknown fields). */
  problem(message: string, path: PathKey[] = [], key?: string): RuleProblem {
    return { file: this.file, line: this.line(path, key), field: this.field(key === undefined ? path : [...path, key]), message };
  }
}

export interface OpenSloObject<K extends Kind> {
  kind: K;
  name: string;
  metadata: Metadata;
  spec: SpecOf[K];
  place: Place;
}

/** By name; SLOs by <service>.<name>. */
export type ObjectIndex = { [K in Kind]: Map<string, OpenSloObject<K>> };

export interface DocumentSet {
  objects: ObjectIndex;
  problems: RuleProblem[];
}

/** True when a YAML file holds OpenSLO documents rather than a Headroom SLO file. */
export function isOpenSloText(text: string): boolean {
  return /^apiVersion:\s*["']?openslo\//m.test(text);
}

/**
 * Parses and checks the shape of every document of every file, and indexes them by kind and
 * name so that references resolve across files. Documents with problems are left out of the
 * index (their problems are returned), so the converter only sees well-formed objects.
 */
export function readDocuments(sources: OpenSloSource[]): DocumentSet {
  const objects = Object.fromEntries(KINDS.map((k) => [k, new Map()])) as ObjectIndex;
  const problems: RuleProblem[] = [];
  for (const source of sources) {
    const lines = new LineCounter();
    const parsed = parseAllDocuments(source.text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
    const docs = Array.isArray(parsed) ? parsed : [];
    for (const yaml of docs) {
      if (yaml.errors.length > 0) {
        for (const e of yaml.errors) {
          problems.push({ file: source.file, line: e.linePos?.[0]?.line ?? lines.linePos(e.pos[0]).line, field: '', message: `YAML syntax: ${e.message.split('\n')[0]}` });
        }
        continue;
      }
      if (yaml.contents === null) continue; // an empty document, e.g. after a trailing ---
      const doc: ParsedDocument = { file: source.file, yaml, lines, label: '(document)' };
      const value = withoutNulls(yaml.toJS());
      const top = new Place(doc, []);
      if (!isRecord(value)) {
        problems.push(top.problem('an OpenSLO document must be a mapping with apiVersion, kind, metadata and spec'));
        continue;
      }
      const name = isRecord(value.metadata) && typeof value.metadata.name === 'string' ? value.metadata.name : '(unnamed)';
      doc.label = `${typeof value.kind === 'string' ? value.kind : '(no kind)'}/${name}`;
      if (value.apiVersion !== OPENSLO_V1) {
        problems.push(
          typeof value.apiVersion === 'string' && value.apiVersion.startsWith('openslo/')
            ? top.problem(`${value.apiVersion} is not supported: Headroom reads apiVersion: ${OPENSLO_V1}`, ['apiVersion'])
            : top.problem(`required: apiVersion: ${OPENSLO_V1} (every document of an OpenSLO file needs it)`, ['apiVersion']),
        );
        continue;
      }
      const kind = KINDS.find((k) => k === value.kind);
      if (!kind) {
        problems.push(top.problem(`unknown OpenSLO v1 kind ${JSON.stringify(value.kind ?? null)}: one of ${KINDS.join(', ')}`, ['kind']));
        continue;
      }
      const result = documentSchemas[kind].safeParse(value, { error: zodMessage });
      if (!result.success) {
        for (const issue of result.error.issues) {
          const path = issue.path as PathKey[];
          if (issue.code === 'unrecognized_keys') {
            for (const key of issue.keys) problems.push(top.problem(`unknown field: not part of OpenSLO v1 ${kind}`, path, key));
          } else problems.push(top.problem(issue.message, path));
        }
        continue;
      }
      const parsedDoc = result.data as { metadata: Metadata; spec: SpecOf[typeof kind] };
      const index = objects[kind] as Map<string, OpenSloObject<Kind>>;
      // Other kinds are referenced by name; nothing references an SLO, and Headroom names it
      // <service>.<name>, so two services may each have an SLO called availability.
      const key = kind === 'SLO' ? `${(parsedDoc.spec as SpecOf['SLO']).service}.${parsedDoc.metadata.name}` : parsedDoc.metadata.name;
      const earlier = index.get(key);
      if (earlier) {
        problems.push(top.problem(`duplicate ${kind} ${parsedDoc.metadata.name} (also in ${earlier.place.file}:${earlier.place.line()})`, ['metadata', 'name']));
        continue;
      }
      index.set(key, { kind, name: parsedDoc.metadata.name, metadata: parsedDoc.metadata, spec: parsedDoc.spec, place: top });
    }
  }
  return { objects, problems };
}

const TYPE_NAMES: Record<string, string> = {
  object: 'a mapping',
  record: 'a mapping',
  array: 'a list',
  string: 'a string',
  number: 'a number',
  boolean: 'true or false',
};

/** zod's messages, reworded the way the rest of Headroom's rule errors read. */
function zodMessage(issue: { code?: string; input?: unknown; expected?: string; origin?: string }): string | undefined {
  if (issue.code === 'invalid_type') return issue.input === undefined ? 'required' : `must be ${TYPE_NAMES[issue.expected ?? ''] ?? issue.expected}`;
  if (issue.code === 'too_small' && issue.origin === 'string') return 'must not be empty';
  if (issue.code === 'invalid_union') return 'has the wrong type (a string, or a list of strings for labels)';
  return undefined;
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `key:` with nothing after it is YAML null; OpenSLO files use it for "not set". */
function withoutNulls(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withoutNulls);
  if (isRecord(v)) return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== null).map(([k, x]) => [k, withoutNulls(x)]));
  return v;
}

function nodeLine(doc: Document, lines: LineCounter, path: PathKey[], key?: string): number {
  const full = key === undefined ? path : [...path, key];
  const at = (node: Node | null | undefined) => (node?.range ? lines.linePos(node.range[0]).line : undefined);
  // Walk up from the deepest step that exists: a mapping step reports its key's line, a list
  // step its item's line.
  for (let depth = full.length; depth > 0; depth--) {
    const parent = (depth === 1 ? doc.contents : doc.getIn(full.slice(0, depth - 1), true)) as Node | null;
    const step = full[depth - 1];
    if (isMap(parent)) {
      const pair = parent.items.find((it) => isScalar(it.key) && it.key.value === step);
      const line = at(pair?.key as Node | undefined);
      if (line) return line;
    } else if (isSeq(parent) && typeof step === 'number') {
      const line = at(parent.items[step] as Node | undefined);
      if (line) return line;
    }
  }
  return at(doc.contents as Node | null) ?? 1;
}
