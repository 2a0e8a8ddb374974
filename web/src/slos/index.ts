import { lazy } from 'react';
import SpeedIcon from '@mui/icons-material/Speed';
import { SloList } from './slo-list';

// The show page carries the charts (recharts, d3): load them only when an SLO is opened, so the
// first page of the console stays light.
const SloShow = lazy(() => import('./slo-show').then((m) => ({ default: m.SloShow })));

export const slos = {
  list: SloList,
  show: SloShow,
  icon: SpeedIcon,
  options: { label: 'SLOs' },
  recordRepresentation: 'name',
};
