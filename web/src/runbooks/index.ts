import MenuBookIcon from '@mui/icons-material/MenuBook';
import { RunbookList } from './runbook-list';
import { RunbookShow } from './runbook-show';

export const runbooks = {
  list: RunbookList,
  show: RunbookShow,
  icon: MenuBookIcon,
  recordRepresentation: 'title',
};
