#!/usr/bin/env node
// Each module owns its tables (docs/architecture.md): only code in the folder of the module that
// declares a table's entity may name that table in SQL or use its entity class as a value
// (repositories, query builders). Others call the owner's store. Run by `npm run lint`.
//   node scripts/check-table-ownership.mjs [server/src]
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(process.argv[2] ?? 'server/src');
// The composition root lists every entity for TypeORM; it reads no table.
const EXEMPT = new Set(['database/entities.ts']);

/** A module's folder: server/src/<name>, or server/src/sources/<name> (each source is its own module). */
function moduleOf(rel) {
  const parts = rel.split('/');
  if (parts.length < 2) return '(root)';
  return parts[0] === 'sources' && parts.length > 2 ? `sources/${parts[1]}` : parts[0];
}

function walk(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return walk(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.spec.ts') ? [p] : [];
  });
}

const files = walk(root).map((abs) => ({ abs, rel: path.relative(root, abs).split(path.sep).join('/'), text: fs.readFileSync(abs, 'utf8') }));

const owner = new Map(); // table -> module
for (const f of files) {
  for (const m of f.text.matchAll(/@Entity\(\{\s*name:\s*'([a-z_]+)'/g)) owner.set(m[1], moduleOf(f.rel));
}

const problems = [];
const lineOf = (text, index) => text.slice(0, index).split('\n').length;

for (const f of files) {
  if (EXEMPT.has(f.rel)) continue;
  const mine = moduleOf(f.rel);
  // SQL names a table after these keywords (the code writes SQL keywords in capitals).
  for (const m of f.text.matchAll(/\b(?:FROM|JOIN|UPDATE|INTO|TABLE)\s+"?([a-z_]+)"?/g)) {
    const table = m[1];
    if (owner.has(table) && owner.get(table) !== mine) {
      problems.push(`${f.rel}:${lineOf(f.text, m.index)}: SQL on table ${table}, which ${owner.get(table)}/ owns; call its store instead`);
    }
  }
  // An entity class imported as a value is a repository or a query builder on its table.
  for (const m of f.text.matchAll(/^import\s+(?!type\b)\{([^}]*)\}\s+from\s+'(\.[^']+\.entity)'/gm)) {
    const values = m[1].split(',').map((s) => s.trim()).filter((s) => s && !s.startsWith('type '));
    if (values.length === 0) continue;
    const target = path.relative(root, path.resolve(path.dirname(f.abs), m[2])).split(path.sep).join('/');
    const theirs = moduleOf(target);
    if (theirs !== mine) {
      problems.push(`${f.rel}:${lineOf(f.text, m.index)}: uses ${values.join(', ')} from ${target}.ts, which ${theirs}/ owns; import types only, and call its store`);
    }
  }
}

if (problems.length > 0) {
  console.error(`Tables used outside the module that owns them (${problems.length}):\n${problems.join('\n')}`);
  process.exit(1);
}
console.log(`✔ every table is used only by its own module (${owner.size} tables, ${files.length} files)`);
