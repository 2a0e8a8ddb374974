import type { Request } from 'express';
import { userActor, type Principal } from '../auth/auth.decorators';
import type { IntegrationKeyView } from '../auth/integration-keys.service';
import type { AuditActor } from '../audit/audit.service';

/** Who reported a change: the integration key the guard accepted, or the person's token. */
export function requestActor(req: Request): AuditActor {
  const r = req as Request & { integration?: IntegrationKeyView; principal?: Principal };
  if (r.integration) return { type: 'integration', id: r.integration.id, name: r.integration.name };
  if (r.principal) return userActor(r.principal);
  throw new Error('a change endpoint was reached without an integration key or a principal (guard missing)');
}
