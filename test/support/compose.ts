import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT } from './headroom-process';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ComposeFile = { services: Record<string, any> };

export function readCompose(): ComposeFile {
  return parse(fs.readFileSync(path.join(REPO_ROOT, 'docker-compose.yml'), 'utf8')) as ComposeFile;
}

/** Headroom's environment in docker-compose.yml, with ${VAR:-default} and ${VAR:?msg} resolved the way compose does with an empty .env. */
export function composeEnv(compose: ComposeFile): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(compose.services.headroom.environment as Record<string, string>)) {
    env[k] = String(v).replace(/\$\{(\w+):([-?])([^}]*)\}/g, (_m, _name, op, rest) => (op === '-' ? rest : 'a-token-of-sixteen-chars'));
  }
  return env;
}
