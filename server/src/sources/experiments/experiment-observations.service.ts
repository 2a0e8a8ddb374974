import { Inject, Injectable } from '@nestjs/common';
import { ValidationError } from '../../common/errors';
import { LOGGER, type Logger } from '../../common/logger';
import type { ExperimentResults } from '../../guardrails/experiment-evaluation';
import { snapshotIssues } from '../../guardrails/experiment-snapshot';
import { definitionOf, ExperimentsService } from '../../guardrails/experiments.service';
import { GuardrailEvaluator } from '../../guardrails/guardrail-evaluator.service';
import type { ObservationBody } from './observation-body';

export interface ObservationOutcome {
  experiment: string;
  at: string;
  /** False when the same snapshot was already stored: nothing changed. */
  stored: boolean;
  /** The evaluation that followed a new snapshot. */
  results: ExperimentResults | null;
}

/**
 * Stores experiment observations: validated against the experiment, idempotent by (experiment,
 * snapshot time), never older than the latest stored snapshot, then evaluated at once so a
 * breach pages without waiting for the scheduled pass. On any error nothing is stored.
 */
@Injectable()
export class ExperimentObservationsService {
  constructor(
    private readonly experiments: ExperimentsService,
    private readonly evaluator: GuardrailEvaluator,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async record(id: string, body: ObservationBody): Promise<ObservationOutcome> {
    const def = definitionOf(await this.experiments.row(id));
    const issues = snapshotIssues(def, body.variants);
    if (issues.length > 0) throw new ValidationError(issues);
    const at = new Date(body.at);
    const stored = await this.experiments.storeSnapshot(id, { at, variants: body.variants });
    if (!stored) return { experiment: id, at: at.toISOString(), stored, results: null };
    this.logger.debug({ experiment: id, at: at.toISOString() }, 'experiment snapshot stored');
    const results = (await this.evaluator.evaluate([id])).get(id) ?? null;
    return { experiment: id, at: at.toISOString(), stored, results };
  }
}
