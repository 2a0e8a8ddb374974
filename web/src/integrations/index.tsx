import CableIcon from '@mui/icons-material/Cable';
import { KeyList, type KeyKind } from '../key-list';

const kind: KeyKind = {
  resource: 'integrations',
  title: 'Integration keys',
  newLabel: 'New integration key',
  description: 'Keys that Alertmanager, PagerDuty-format senders, OTLP exporters, experiment platforms and heartbeat senders push with.',
  field: 'kind',
  label: 'Kind',
  values: ['alertmanager', 'pagerduty', 'otlp', 'experiments', 'heartbeat', 'changes'],
};

export const integrations = { list: () => <KeyList kind={kind} />, icon: CableIcon, options: { label: 'Integration keys' } };
