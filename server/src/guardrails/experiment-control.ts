import { Injectable } from '@nestjs/common';
import type { AuditActor } from '../audit/audit.service';
import type { ExperimentSpec } from '../rules/experiment-definition';
import { ExperimentsService, type ExperimentView } from './experiments.service';
import { GuardrailEvaluator } from './guardrail-evaluator.service';

/**
 * Stop, edit and delete an API-declared experiment. The table changes first (with its audit and
 * change-log rows); then an experiment that no longer runs resolves its guardrails' incidents —
 * nothing would ever clear them, and a breaching experiment would page again after every resolve —
 * and one that still runs is evaluated at once under its new definition.
 */
@Injectable()
export class ExperimentControl {
  constructor(
    private readonly experiments: ExperimentsService,
    private readonly evaluator: GuardrailEvaluator,
  ) {}

  async stop(id: string, actor: AuditActor): Promise<ExperimentView> {
    const { view, definition } = await this.experiments.stop(id, actor);
    await this.evaluator.ended(definition, `Experiment ${id} was stopped by ${actor.name}: its guardrail incident is resolved`);
    return view;
  }

  async update(id: string, spec: ExperimentSpec, actor: AuditActor): Promise<ExperimentView> {
    const { view, definition } = await this.experiments.update(id, spec, actor);
    if (view.status === 'running') await this.evaluator.evaluate([id]);
    else if (definition.status === 'running') await this.evaluator.ended(definition, `Experiment ${id} was set to ${view.status} by ${actor.name}: its guardrail incident is resolved`);
    return view;
  }

  async remove(id: string, actor: AuditActor): Promise<ExperimentView> {
    const { view, definition } = await this.experiments.remove(id, actor);
    await this.evaluator.ended(definition, `Experiment ${id} was deleted by ${actor.name}: its guardrail incident is resolved`);
    return view;
  }
}
