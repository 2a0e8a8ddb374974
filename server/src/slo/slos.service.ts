import { Injectable } from '@nestjs/common';
import { NotFoundError } from '../common/errors';
import { RulesService } from '../rules/rules.service';
import type { SloDefinition } from '../rules/slo-definition';
import { SloEvaluator } from './slo-evaluator.service';
import type { SloStatus } from './slo-status.entity';

export interface SloView {
  id: string;
  service: string;
  name: string;
  kind: 'events' | 'latency';
  objective: number;
  period: number;
  thresholdSeconds: number | null;
  runbookId: string;
  state: SloStatus['state'];
  since: Date | null;
  burnRates: Record<string, number | null>;
  budgetRemaining: number | null;
  evaluatedAt: Date | null;
}

function view(slo: SloDefinition, status: SloStatus | undefined): SloView {
  return {
    id: slo.id,
    service: slo.service,
    name: slo.name,
    kind: slo.sli.kind,
    objective: slo.objective,
    period: slo.periodSeconds,
    thresholdSeconds: slo.sli.kind === 'latency' ? slo.sli.thresholdSeconds : null,
    runbookId: slo.runbookId,
    // Never evaluated yet is shown honestly as no data, not as ok.
    state: status?.state ?? 'no-data',
    since: status?.since ?? null,
    burnRates: status?.burnRates ?? {},
    budgetRemaining: status?.budgetRemaining ?? null,
    evaluatedAt: status?.evaluatedAt ?? null,
  };
}

@Injectable()
export class SlosService {
  constructor(
    private readonly rules: RulesService,
    private readonly evaluator: SloEvaluator,
  ) {}

  async list(filter: Record<string, unknown>): Promise<SloView[]> {
    const statuses = new Map((await this.evaluator.statuses()).map((s) => [s.sloId, s]));
    return this.rules
      .slos()
      .map((slo) => view(slo, statuses.get(slo.id)))
      .filter((v) =>
        Object.entries(filter).every(([k, want]) => {
          const have = (v as unknown as Record<string, unknown>)[k];
          return Array.isArray(want) ? want.map(String).includes(String(have)) : String(have) === String(want);
        }),
      );
  }

  async get(id: string): Promise<SloView & { evidence: Record<string, unknown> }> {
    const slo = this.rules.slo(id);
    if (!slo) throw new NotFoundError('SLO', id);
    const status = (await this.evaluator.statuses()).find((s) => s.sloId === id);
    return { ...view(slo, status), evidence: status?.evidence ?? {} };
  }
}
