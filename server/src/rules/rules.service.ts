import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { loadRunbooks, type Runbook } from '../runbooks/runbook-index';
import { loadRules, type RuleSet } from './rules-loader';
import type { SloDefinition } from './slo-definition';

/**
 * Holds the loaded alert rules and runbooks. Loading is strict and happens at start: a bad
 * file stops the process with file, line and field (see main.ts).
 */
@Injectable()
export class RulesService {
  private rules: RuleSet;
  private runbooks: Map<string, Runbook>;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.runbooks = loadRunbooks(config.runbooksDir);
    this.rules = loadRules(config.alertsDir, (file) => this.runbooks.has(file.replace(/\.md$/, '')));
  }

  slos(): SloDefinition[] {
    return this.rules.slos;
  }

  slo(id: string): SloDefinition | undefined {
    return this.rules.slos.find((s) => s.id === id);
  }

  allRunbooks(): Runbook[] {
    return [...this.runbooks.values()];
  }

  runbook(id: string): Runbook | undefined {
    return this.runbooks.get(id);
  }
}
