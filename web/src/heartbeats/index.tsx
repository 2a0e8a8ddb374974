import MonitorHeartIcon from '@mui/icons-material/MonitorHeart';
import { DataTable, List } from 'react-admin';
import { DateTime, StatusChip } from '../fields';

/** GET /api/heartbeats (docs/api.md). */
interface Heartbeat {
  id: string;
  name: string;
  origin: 'yaml' | 'api';
  file: string | null;
  interval: string;
  grace: string;
  service: string;
  severity: 'page' | 'ticket';
  lastBeatAt: string | null;
  dueAt: string;
  state: 'ok' | 'waiting' | 'missed';
}

/**
 * Heartbeats (dead man's switches) with their last beat: a missed one has an incident open
 * (in Incidents, source heartbeat). Declared in alerts/*.yaml or with POST /api/heartbeats.
 */
export const HeartbeatList = () => (
  <List<Heartbeat> title="Heartbeats" pagination={false} perPage={500} sort={{ field: 'name', order: 'ASC' }}>
    <DataTable<Heartbeat> bulkActionButtons={false}>
      <DataTable.Col source="name" />
      <DataTable.Col source="state" render={(h) => <StatusChip value={h.state} colors={{ ok: 'success', waiting: 'default', missed: 'error' }} />} />
      <DataTable.Col label="Every" disableSort render={(h) => (h.grace === '0s' ? h.interval : `${h.interval} (+${h.grace} grace)`)} />
      <DataTable.Col source="lastBeatAt" label="Last beat" render={(h) => (h.lastBeatAt ? <DateTime value={h.lastBeatAt} /> : 'never')} />
      <DataTable.Col source="dueAt" label="Missed after" render={(h) => <DateTime value={h.dueAt} />} />
      <DataTable.Col source="service" />
      <DataTable.Col source="severity" disableSort />
      <DataTable.Col label="Declared in" disableSort render={(h) => h.file ?? 'API'} />
    </DataTable>
  </List>
);

export const heartbeats = { list: HeartbeatList, icon: MonitorHeartIcon, options: { label: 'Heartbeats' } };
