import SpeedIcon from '@mui/icons-material/Speed';
import { SloList } from './slo-list';

export const slos = {
  list: SloList,
  icon: SpeedIcon,
  options: { label: 'SLOs' },
  recordRepresentation: 'name',
};
