import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';

/** A markdown runbook with YAML front matter (title, services, alerts). */
export interface Runbook {
  /** The file name without `.md`; what alerts link to. */
  id: string;
  title: string;
  services: string[];
  alerts: string[];
  path: string;
  body: string;
}

const FRONT_MATTER = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?/;

export function parseRunbook(file: string, text: string): Runbook {
  const id = path.basename(file).replace(/\.md$/, '');
  const match = FRONT_MATTER.exec(text);
  const meta = (match ? parseYaml(match[1]) : {}) as Record<string, unknown> | null;
  const body = match ? text.slice(match[0].length) : text;
  const heading = /^#\s+(.+)$/m.exec(body)?.[1];
  const list = (v: unknown) => (Array.isArray(v) ? v.map(String) : v ? [String(v)] : []);
  return {
    id,
    title: String(meta?.title ?? heading ?? id),
    services: list(meta?.services),
    alerts: list(meta?.alerts),
    path: file,
    body,
  };
}

export function loadRunbooks(dir: string): Map<string, Runbook> {
  const out = new Map<string, Runbook>();
  if (!fs.existsSync(dir)) return out;
  for (const name of fs.readdirSync(dir).filter((f) => f.endsWith('.md')).sort()) {
    const file = path.join(dir, name);
    const runbook = parseRunbook(path.relative(path.dirname(dir), file), fs.readFileSync(file, 'utf8'));
    out.set(runbook.id, runbook);
  }
  return out;
}
