import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import * as fs from 'node:fs';
import { LOGGER, type Logger } from '../common/logger';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { loadRunbooks, type Runbook } from './runbook-index';
import { loadRules, type RuleSet } from './rules-loader';
import type { ExperimentDefinition } from './experiment-definition';
import type { HeartbeatDefinition } from './heartbeat-definition';
import type { Inhibition } from './inhibit-rule';
import type { RollbackHook, RollbackPolicy } from './rollback-definition';
import type { PrometheusServer, SloDefinition } from './slo-definition';
import { formatProblem, RulesError, type RuleProblem } from './yaml-source';
import { describeIdleSlos, idleSlos, type IdleSlo } from './idle-sources';

export interface RulesStatus {
  loadedAt: Date;
  slos: number;
  runbooks: number;
  /** The last reload's problems; the previous good set stays in force meanwhile. */
  problems: RuleProblem[];
  lastAttemptAt: Date;
  /** SLOs whose source cannot produce data in this configuration (they stay no-data). */
  idleSlos: IdleSlo[];
}

const RELOAD_DEBOUNCE_MS = 250;

/** One reload of alerts/ and runbooks/: when, asked by whom, and what was wrong (nothing when it was taken). */
export interface ReloadAttempt {
  at: Date;
  by: { type: string; id: string | null; name: string };
  problems: RuleProblem[];
  slos: number;
  runbooks: number;
}

const FILE_CHANGE: ReloadAttempt['by'] = { type: 'system', id: null, name: 'file change' };

/**
 * Holds the alert rules and runbooks. Loading is strict at start (a bad file stops the process
 * with file, line and field). Afterwards the folders are watched: a change reloads them, and a
 * bad change is reported (log, GET /api/rules/status) while the last good set stays in force.
 */
@Injectable()
export class RulesService implements OnApplicationBootstrap, OnApplicationShutdown {
  private rules: RuleSet;
  private runbooks: Map<string, Runbook>;
  private status: Omit<RulesStatus, 'idleSlos'>;
  private idle: IdleSlo[];
  private watchers: fs.FSWatcher[] = [];
  private timer?: NodeJS.Timeout;
  private readonly listeners: Array<(rules: RuleSet) => void> = [];
  private readonly attemptListeners: Array<(attempt: ReloadAttempt) => void> = [];

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger?: Logger,
  ) {
    const { rules, runbooks } = this.load();
    this.rules = rules;
    this.runbooks = runbooks;
    const now = new Date();
    this.status = { loadedAt: now, lastAttemptAt: now, slos: rules.slos.length, runbooks: runbooks.size, problems: [] };
    this.idle = this.findIdle(rules);
  }

  private findIdle(rules: RuleSet): IdleSlo[] {
    return idleSlos(rules.slos, { simulator: this.config.simulator.enabled, databaseUrlSet: Boolean(this.config.databaseUrl) });
  }

  /** Said once at start, and again when a reload changes which SLOs are idle. */
  private warnIdle(): void {
    if (this.idle.length > 0) this.logger?.warn({ slos: this.idle.map((i) => i.slo) }, describeIdleSlos(this.idle));
  }

  private load(): { rules: RuleSet; runbooks: Map<string, Runbook> } {
    const runbooks = loadRunbooks(this.config.runbooksDir);
    const rules = loadRules(this.config.alertsDir, (file) => runbooks.has(file.replace(/\.md$/, '')));
    return { rules, runbooks };
  }

  onApplicationBootstrap(): void {
    this.warnIdle();
    for (const dir of [this.config.alertsDir, this.config.runbooksDir]) {
      if (!fs.existsSync(dir)) continue;
      try {
        this.watchers.push(fs.watch(dir, () => this.scheduleReload()));
      } catch (err) {
        this.logger?.warn({ dir, err: (err as Error).message }, 'cannot watch folder; rules reload only at restart');
      }
    }
  }

  onApplicationShutdown(): void {
    this.watchers.forEach((w) => w.close());
    if (this.timer) clearTimeout(this.timer);
  }

  private scheduleReload(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.reload(), RELOAD_DEBOUNCE_MS);
  }

  /**
   * Reloads both folders; returns the problems (empty when the new set is in force). `by` is
   * who asked: a person through the API, or Headroom on a file change.
   */
  reload(by: ReloadAttempt['by'] = FILE_CHANGE): RuleProblem[] {
    const attemptAt = new Date();
    let problems: RuleProblem[] = [];
    try {
      const { rules, runbooks } = this.load();
      this.rules = rules;
      this.runbooks = runbooks;
      this.status = { loadedAt: attemptAt, lastAttemptAt: attemptAt, slos: rules.slos.length, runbooks: runbooks.size, problems: [] };
      this.logger?.info({ slos: rules.slos.length, runbooks: runbooks.size }, 'alert rules reloaded');
      const idle = this.findIdle(rules);
      const changed = idle.map((i) => i.slo).join() !== this.idle.map((i) => i.slo).join();
      this.idle = idle;
      if (changed) this.warnIdle();
      for (const l of this.listeners) l(rules);
    } catch (err) {
      problems = err instanceof RulesError ? err.problems : [{ file: this.config.alertsDir, line: 1, field: '', message: (err as Error).message }];
      this.status = { ...this.status, lastAttemptAt: attemptAt, problems };
      this.logger?.error({ problems: problems.map(formatProblem) }, 'alert rules not reloaded; the previous rules stay in force');
    }
    for (const l of this.attemptListeners) l({ at: attemptAt, by, problems, slos: this.status.slos, runbooks: this.status.runbooks });
    return problems;
  }

  /** Every reload attempt, taken or not (the audit log records them). */
  onReloadAttempt(listener: (attempt: ReloadAttempt) => void): void {
    this.attemptListeners.push(listener);
  }

  onReload(listener: (rules: RuleSet) => void): void {
    this.listeners.push(listener);
  }

  rulesStatus(): RulesStatus {
    return { ...this.status, idleSlos: this.idle };
  }

  /** SLOs whose source cannot produce data in this configuration (GET /api/rules/status, /readyz). */
  idleSlos(): IdleSlo[] {
    return this.idle;
  }

  slos(): SloDefinition[] {
    return this.rules.slos;
  }

  /** Experiments declared in alerts/*.yaml (those created through the API live in the database). */
  experiments(): ExperimentDefinition[] {
    return this.rules.experiments;
  }

  /** Rollback hooks and policies declared in alerts/*.yaml (docs/rollback.md). */
  rollbackHooks(): RollbackHook[] {
    return this.rules.rollbackHooks;
  }

  rollbackPolicies(): RollbackPolicy[] {
    return this.rules.rollbackPolicies;
  }

  /** Heartbeats declared in alerts/*.yaml (those declared through the API live in the database). */
  heartbeats(): HeartbeatDefinition[] {
    return this.rules.heartbeats;
  }

  /** Inhibit rules and service dependencies (inhibit-rule.ts); RoutesService serves them to incidents. */
  inhibition(): Inhibition {
    return this.rules.inhibition;
  }

  slo(id: string): SloDefinition | undefined {
    return this.rules.slos.find((s) => s.id === id);
  }

  prometheusServers(): PrometheusServer[] {
    return this.rules.prometheusServers;
  }

  allRunbooks(): Runbook[] {
    return [...this.runbooks.values()];
  }

  runbook(id: string): Runbook | undefined {
    return this.runbooks.get(id);
  }
}
