import { Inject, Injectable } from '@nestjs/common';
import { CLOCK, type Clock } from '../../common/clock';
import { ValidationError } from '../../common/errors';
import { SIGNAL_HANDLER, type SignalHandler } from '../../common/signals';
import { ExperimentsService } from '../../guardrails/experiments.service';
import { toExperimentDefinition, type ExperimentDefinition } from '../../rules/experiment-definition';
import { breachProblem, platformBreachSignal, type PlatformBreach } from './platform-breach';

export interface BreachOutcome {
  experiment: string;
  variant: string;
  metric: string;
  status: PlatformBreach['status'];
  fingerprint: string;
  /** The incident the breach is on (null for a `cleared` with nothing open). */
  incidentId: number | null;
}

/** Turns platform-decided breaches into guardrail signals (see platform-breach.ts). */
@Injectable()
export class PlatformBreachesService {
  constructor(
    private readonly experiments: ExperimentsService,
    @Inject(SIGNAL_HANDLER) private readonly next: SignalHandler,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** All or nothing: every breach is checked before any is published. */
  async receive(breaches: PlatformBreach[], platform: string): Promise<BreachOutcome[]> {
    const known = new Map<string, ExperimentDefinition | undefined>();
    for (const b of breaches) if (!known.has(b.experiment)) known.set(b.experiment, await this.definition(b.experiment));
    const problems = breaches
      .map((b, i) => ({ i, problem: breachProblem(b, known.get(b.experiment)) }))
      .filter((p): p is { i: number; problem: string } => p.problem !== null);
    if (problems.length > 0) throw new ValidationError(problems.map((p) => ({ field: breaches.length === 1 ? 'service' : `breaches.${p.i}.service`, message: p.problem })));
    const now = this.clock.now();
    const signals = breaches.map((b) => platformBreachSignal(b, known.get(b.experiment), platform, now));
    // Incidents, then rollback, have handled them when this returns (pipeline.ts).
    const incidentOf = signals.length > 0 ? await this.next.handleSignals(signals) : new Map<string, number>();
    return breaches.map((b, i) => ({
      experiment: b.experiment,
      variant: b.variant,
      metric: b.metric,
      status: b.status,
      fingerprint: signals[i].fingerprint,
      incidentId: incidentOf.get(signals[i].fingerprint) ?? null,
    }));
  }

  private async definition(id: string): Promise<ExperimentDefinition | undefined> {
    try {
      const view = await this.experiments.get(id);
      return toExperimentDefinition(view.spec, view.file);
    } catch {
      return undefined;
    }
  }
}
