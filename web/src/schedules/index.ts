import EventIcon from '@mui/icons-material/Event';
import { ScheduleList } from './schedule-list';
import { ScheduleShow } from './schedule-show';

export const schedules = {
  list: ScheduleList,
  show: ScheduleShow,
  icon: EventIcon,
  recordRepresentation: 'name',
  options: { label: 'On call' },
};
