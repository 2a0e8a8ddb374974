import { Initial1764090000000 } from './1764090000000-initial';
import { IntegrationKeys1764100000000 } from './1764100000000-integration-keys';
import { SliHourRollups1764150000000 } from './1764150000000-sli-hour-rollups';
import { OtlpSeries1764200000000 } from './1764200000000-otlp-series';
import { IncidentRouting1764300000000 } from './1764300000000-incident-routing';
import { Experiments1764400000000 } from './1764400000000-experiments';
import { Users1764410000000 } from './1764410000000-users';
import { RollbackExecutions1764500000000 } from './1764500000000-rollback-executions';
import { Oncall1764600000000 } from './1764600000000-oncall';
import { DeliveryChannels1764700000000 } from './1764700000000-delivery-channels';
import { CalendarLinks1764710000000 } from './1764710000000-calendar-links';
import { OtlpStateFillfactor1764720000000 } from './1764720000000-otlp-state-fillfactor';
import { IncidentsOpenIndex1764800000000 } from './1764800000000-incidents-open-index';
import { DeliveryChannelLastFailure1764900000000 } from './1764900000000-delivery-channel-last-failure';
import { OtlpStateJson1765000000000 } from './1765000000000-otlp-state-json';
import { IncidentAlertsKeyIndex1765100000000 } from './1765100000000-incident-alerts-key-index';
import { SliChangeLog1765200000000 } from './1765200000000-sli-change-log';
import { IncidentAlertContentHash1765300000000 } from './1765300000000-incident-alert-content-hash';
import { ClaimVersions1765400000000 } from './1765400000000-claim-versions';
import { AlertKeysPerIntegration1765500000000 } from './1765500000000-alert-keys-per-integration';
import { SignInFailures1765600000000 } from './1765600000000-sign-in-failures';
import { ApiTokenOwners1765700000000 } from './1765700000000-api-token-owners';
import { SlackRequestsSeen1765800000000 } from './1765800000000-slack-requests-seen';
import { OneMutingModel1765900000000 } from './1765900000000-one-muting-model';
import { EscalationsWokenByIncidents1766100000000 } from './1766100000000-escalations-woken-by-incidents';
import { PrometheusPulls1766150000000 } from './1766150000000-prometheus-pulls';
import { Heartbeats1766200000000 } from './1766200000000-heartbeats';
import { IncidentUrgency1766230000000 } from './1766230000000-incident-urgency';
import { ContactMethods1766300000000 } from './1766300000000-contact-methods';
import { AckLinks1766350000000 } from './1766350000000-ack-links';
import { IncidentCauses1766450000000 } from './1766450000000-incident-causes';
import { Changes1766500000000 } from './1766500000000-changes';
import { GateChecks1766510000000 } from './1766510000000-gate-checks';

/** Every migration, in order. Listed as classes (not a glob) so build, tests and CLI agree. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export const MIGRATIONS: Function[] = [Initial1764090000000, IntegrationKeys1764100000000, SliHourRollups1764150000000, OtlpSeries1764200000000, IncidentRouting1764300000000, Experiments1764400000000, Users1764410000000, RollbackExecutions1764500000000, Oncall1764600000000, DeliveryChannels1764700000000, CalendarLinks1764710000000, OtlpStateFillfactor1764720000000, IncidentsOpenIndex1764800000000, DeliveryChannelLastFailure1764900000000, OtlpStateJson1765000000000, IncidentAlertsKeyIndex1765100000000, SliChangeLog1765200000000, IncidentAlertContentHash1765300000000, ClaimVersions1765400000000, AlertKeysPerIntegration1765500000000, SignInFailures1765600000000, ApiTokenOwners1765700000000, SlackRequestsSeen1765800000000, OneMutingModel1765900000000, EscalationsWokenByIncidents1766100000000, PrometheusPulls1766150000000, Heartbeats1766200000000, IncidentUrgency1766230000000, ContactMethods1766300000000, AckLinks1766350000000, IncidentCauses1766450000000, Changes1766500000000, GateChecks1766510000000];
