import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { LOGGER, type Logger } from '../common/logger';
import { formatProblem } from './yaml-source';
import { RulesService, type ReloadAttempt } from './rules.service';

/**
 * Puts every reload of alerts/ and runbooks/ on the audit log — who asked (a person through
 * POST /api/rules/reload, or a file change), and what was wrong when it was not taken — since a
 * reload changes who is paged, for what, and which rollbacks may fire.
 */
@Injectable()
export class RulesReloadAudit {
  constructor(
    rules: RulesService,
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    rules.onReloadAttempt((attempt) => void this.record(attempt));
  }

  private async record(attempt: ReloadAttempt): Promise<void> {
    const taken = attempt.problems.length === 0;
    try {
      await this.audit.record(this.dataSource.manager, {
        at: attempt.at,
        actor: attempt.by,
        action: taken ? 'rules.reloaded' : 'rules.reload_refused',
        entityType: 'rules',
        entityId: 'alerts',
        after: taken ? { slos: attempt.slos, runbooks: attempt.runbooks } : { problems: attempt.problems.map(formatProblem) },
      });
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'rules reload could not be audited');
    }
  }
}
