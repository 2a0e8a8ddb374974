import { ApiToken } from '../auth/api-token.entity';
import { IntegrationKey } from '../auth/integration-key.entity';
import { Incident } from '../incidents/incident.entity';
import { TimelineEntry } from '../incidents/timeline-entry.entity';
import { SlackThread } from '../notify/slack/slack-thread.entity';
import { OutboxMessage } from '../outbox/outbox-message.entity';
import { CounterMinute, HistogramMinute } from '../slo/sli-rollup.entity';
import { SloStatus } from '../slo/slo-status.entity';
import { SimulatorFault } from '../sources/simulator/simulator-fault.entity';
import { SimulatorState } from '../sources/simulator/simulator-state.entity';
import { Lease } from './lease.entity';

/** Listed as classes, not globs, so the build, the tests and the CLI share one definition. */
export const ENTITIES = [
  ApiToken,
  IntegrationKey,
  Incident,
  TimelineEntry,
  OutboxMessage,
  SlackThread,
  CounterMinute,
  HistogramMinute,
  SloStatus,
  Lease,
  SimulatorState,
  SimulatorFault,
];
