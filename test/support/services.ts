import * as path from 'node:path';
import { SchedulerRegistry } from '@nestjs/schedule';
import type { DataSource } from 'typeorm';
import { AuditService } from '../../server/src/audit/audit.service';
import type { SlackDirectory } from '../../server/src/auth/slack-directory';
import { SlackIdentityService } from '../../server/src/auth/slack-identity';
import { UserStore } from '../../server/src/auth/user-store';
import type { Clock } from '../../server/src/common/clock';
import { LeaseService } from '../../server/src/common/lease.service';
import { AppMetrics } from '../../server/src/common/metrics';
import { loadConfig, type AppConfig } from '../../server/src/config/config';
import { IncidentStore } from '../../server/src/incidents/incident-store';
import type { IncidentTransitionHandler } from '../../server/src/incidents/incident-transitions';
import { IncidentWriter } from '../../server/src/incidents/incident-writer';
import { EscalationAuditor } from '../../server/src/oncall/escalation-auditor';
import { EscalationEngine } from '../../server/src/oncall/escalation-engine';
import { OncallService } from '../../server/src/oncall/oncall.service';
import { ContactsStore } from '../../server/src/oncall/contacts.store';
import { PersonalPager } from '../../server/src/oncall/personal-pager';
import { OutboxService } from '../../server/src/outbox/outbox.service';
import { RoutesService } from '../../server/src/rules/routes.service';
import { RulesService } from '../../server/src/rules/rules.service';
import { ChangesService } from '../../server/src/changes/changes.service';
import { IntegrationKeysService } from '../../server/src/auth/integration-keys.service';
import { ExperimentsService } from '../../server/src/guardrails/experiments.service';
import { silentLogger } from './test-logger';

/**
 * Services built by hand, as Nest would wire them, for tests that construct them directly:
 * every collaborator a real one over the test database, unless the test passes its own.
 */

const ROOT = path.resolve(__dirname, '../..');
let defaults: AppConfig | undefined;

/** The configuration with every setting at its default. */
export function defaultConfig(): AppConfig {
  return (defaults ??= loadConfig({}, ROOT));
}

export function outboxService(ds: DataSource, config: AppConfig = defaultConfig()): OutboxService {
  return new OutboxService(ds, config);
}

/** Without a directory (the default) Slack is "not configured": a person is found by their stored Slack id only. */
export function slackIdentity(ds: DataSource, config: AppConfig, clock: Clock, directory: SlackDirectory | null = null): SlackIdentityService {
  return new SlackIdentityService(ds, new AuditService(ds), config, clock, silentLogger, directory);
}

/** Schedules and policies from config.alertsDir, reloaded with the rules from that folder. */
export function oncallService(ds: DataSource, config: AppConfig, clock: Clock): OncallService {
  return new OncallService(ds, new UserStore(ds), config, clock, silentLogger, new RulesService(config, silentLogger), new AuditService(ds));
}

export interface EscalationParts {
  outbox: OutboxService;
  oncall: OncallService;
  config: AppConfig;
  clock: Clock;
  /** No routes unless given: every incident follows the `default` policy. */
  routes?: RoutesService;
  metrics?: AppMetrics;
  /** Slack not configured unless given (see slackIdentity). */
  identity?: SlackIdentityService;
}

export function escalationEngine(ds: DataSource, parts: EscalationParts): EscalationEngine {
  const { outbox, oncall, config, clock } = parts;
  return new EscalationEngine(
    ds, outbox, oncall, parts.routes ?? new RoutesService(), new IncidentStore(ds), clock, config, silentLogger,
    new LeaseService(ds), new SchedulerRegistry(), parts.metrics ?? new AppMetrics(), new AuditService(ds), personalPager(ds, outbox, parts.identity ?? slackIdentity(ds, config, clock)),
  );
}

/** What expands "notify this person" into sends by their notification rules. */
export function personalPager(ds: DataSource, outbox: OutboxService, identity: SlackIdentityService): PersonalPager {
  return new PersonalPager(ds, outbox, new ContactsStore(ds), new IncidentStore(ds), identity);
}

export function escalationAuditor(ds: DataSource, engine: EscalationEngine, parts: Pick<EscalationParts, 'outbox' | 'config' | 'clock' | 'metrics'>): EscalationAuditor {
  return new EscalationAuditor(ds, engine, new IncidentStore(ds), parts.outbox, parts.clock, parts.config, silentLogger, new LeaseService(ds), new SchedulerRegistry(), parts.metrics ?? new AppMetrics());
}

/** The writer that opens incidents, paging through `transitions` (noEscalation when the test has no engine); no routes unless given. */
export function incidentWriter(outbox: OutboxService, transitions: IncidentTransitionHandler, routes: RoutesService = new RoutesService()): IncidentWriter {
  return new IncidentWriter(outbox, transitions, new AppMetrics(), silentLogger, routes);
}

/** The change log as the app builds it. */
export function changesService(ds: DataSource, clock: Clock, routes: RoutesService = new RoutesService()): ChangesService {
  const audit = new AuditService(ds);
  return new ChangesService(ds, audit, new IntegrationKeysService(ds, audit, silentLogger), clock, routes, defaultConfig());
}

/** The experiments service as the app builds it, with the change log it records starts, ramps and stops in. */
export function experimentsService(ds: DataSource, clock: Clock): ExperimentsService {
  return new ExperimentsService(ds, new AuditService(ds), clock, silentLogger, changesService(ds, clock));
}
