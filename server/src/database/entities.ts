import { ApiToken } from '../auth/api-token.entity';
import { UserSession } from '../auth/user-session.entity';
import { SignInFailure } from '../auth/sign-in-failure.entity';
import { SlackRequestSeen } from '../notify/slack/slack-request-seen.entity';
import { AckLinkSecret, AckLinkUse } from '../notify/ack-link/ack-link.entity';
import { User } from '../auth/user.entity';
import { IntegrationKey } from '../auth/integration-key.entity';
import { AuditEntry } from '../audit/audit-entry.entity';
import { Experiment } from '../guardrails/experiment.entity';
import { ExperimentObservation } from '../guardrails/experiment-observation.entity';
import { IncidentAlert } from '../incidents/incident-alert.entity';
import { Incident } from '../incidents/incident.entity';
import { Silence } from '../incidents/silence.entity';
import { TimelineEntry } from '../incidents/timeline-entry.entity';
import { SlackThread } from '../notify/slack/slack-thread.entity';
import { DeliveryChannel } from '../notify/delivery-channel.entity';
import { RollbackExecution, RollbackPolicyLock, RollbackStreak } from '../rollback/rollback-execution.entity';
import { CalendarLink } from '../oncall/calendar-link.entity';
import { Escalation } from '../oncall/escalation.entity';
import { ContactMethod } from '../oncall/contact-method.entity';
import { ContactSend } from '../oncall/contact-send.entity';
import { NotificationRule } from '../oncall/notification-rule.entity';
import { ScheduleOverride } from '../oncall/schedule-override.entity';
import { OutboxMessage } from '../outbox/outbox-message.entity';
import { CounterHour, CounterMinute, HistogramHour, HistogramMinute, SliChange } from '../slo/sli-rollup.entity';
import { OtlpSeries } from '../slo/otlp-series.entity';
import { SloStatus } from '../slo/slo-status.entity';
import { PrometheusPull } from '../slo/prometheus/prometheus-pull.entity';
import { SimulatorFault } from '../sources/simulator/simulator-fault.entity';
import { SimulatorState } from '../sources/simulator/simulator-state.entity';
import { OtlpStreamState } from '../sources/otlp/otlp-stream-state.entity';
import { Lease } from '../common/lease.entity';
import { Heartbeat } from '../sources/heartbeats/heartbeat.entity';
import { Change } from '../changes/change.entity';
import { GateCheck } from '../gates/gate-check.entity';

/** Listed as classes, not globs, so the build, the tests and the CLI share one definition. */
export const ENTITIES = [
  ApiToken,
  User,
  UserSession,
  SignInFailure,
  SlackRequestSeen,
  AckLinkUse,
  AckLinkSecret,
  IntegrationKey,
  Incident,
  TimelineEntry,
  IncidentAlert,
  Silence,
  AuditEntry,
  OutboxMessage,
  SlackThread,
  DeliveryChannel,
  CounterMinute,
  HistogramMinute,
  CounterHour,
  HistogramHour,
  SliChange,
  SloStatus,
  PrometheusPull,
  Lease,
  SimulatorState,
  SimulatorFault,
  OtlpSeries,
  OtlpStreamState,
  Experiment,
  ExperimentObservation,
  RollbackExecution,
  RollbackStreak,
  RollbackPolicyLock,
  ScheduleOverride,
  Escalation,
  CalendarLink,
  Heartbeat,
  Change,
  GateCheck,
  ContactMethod,
  NotificationRule,
  ContactSend,
];
