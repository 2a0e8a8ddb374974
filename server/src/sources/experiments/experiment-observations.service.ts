import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ConflictError, ValidationError } from '../../common/errors';
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
    private readonly dataSource: DataSource,
    private readonly experiments: ExperimentsService,
    private readonly evaluator: GuardrailEvaluator,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async record(id: string, body: ObservationBody): Promise<ObservationOutcome> {
    const def = definitionOf(await this.experiments.row(id));
    const issues = snapshotIssues(def, body.variants);
    if (issues.length > 0) throw new ValidationError(issues);
    const at = new Date(body.at);
    const variants = JSON.stringify(body.variants);
    const stored = await this.dataSource.transaction(async (m) => {
      // One snapshot at a time per experiment, so "not older than the latest" holds under races.
      await m.query(`SELECT id FROM experiments WHERE id = $1 FOR UPDATE`, [id]);
      const [same] = await m.query(`SELECT variants = $3::jsonb AS equal FROM experiment_observations WHERE experiment_id = $1 AND at = $2`, [id, at.toISOString(), variants]);
      if (same) {
        if (same.equal) return false;
        throw new ConflictError(`at: a different snapshot is already stored for ${at.toISOString()}; snapshots are immutable, send a new time`);
      }
      const [{ latest }] = await m.query(`SELECT max(at) AS latest FROM experiment_observations WHERE experiment_id = $1`, [id]);
      if (latest && new Date(latest).getTime() > at.getTime()) {
        throw new ConflictError(`at: ${at.toISOString()} is older than the latest stored snapshot (${new Date(latest).toISOString()}); send snapshots in time order`);
      }
      const inserted = await m.query(
        `INSERT INTO experiment_observations (experiment_id, at, variants) VALUES ($1, $2, $3::jsonb)
         ON CONFLICT (experiment_id, at) DO NOTHING RETURNING id`,
        [id, at.toISOString(), variants],
      );
      return inserted.length > 0;
    });
    if (!stored) return { experiment: id, at: at.toISOString(), stored, results: null };
    this.logger.debug({ experiment: id, at: at.toISOString() }, 'experiment snapshot stored');
    const results = (await this.evaluator.evaluate([id])).get(id) ?? null;
    return { experiment: id, at: at.toISOString(), stored, results };
  }
}
