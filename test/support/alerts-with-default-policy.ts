import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

/**
 * A copy of the shipped alerts/ plus an escalation policy named `default`
 * (test/fixtures/default-escalation): every incident that pages starts an escalation, so a test
 * can tell a page from a ticket by the `escalations` row. Returns the folder; the caller removes it.
 */
export function alertsWithDefaultPolicy(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'headroom-alerts-'));
  for (const f of fs.readdirSync(path.join(ROOT, 'alerts'))) {
    if (/\.ya?ml$/.test(f)) fs.copyFileSync(path.join(ROOT, 'alerts', f), path.join(dir, f));
  }
  fs.copyFileSync(path.join(ROOT, 'test/fixtures/default-escalation/default-policy.yaml'), path.join(dir, 'default-policy.yaml'));
  return dir;
}
