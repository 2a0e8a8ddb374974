import WarningIcon from '@mui/icons-material/WarningAmber';
import { IncidentList } from './incident-list';
import { IncidentShow } from './incident-show';

export const incidents = {
  list: IncidentList,
  show: IncidentShow,
  icon: WarningIcon,
  recordRepresentation: 'title',
};
