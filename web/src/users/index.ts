import PeopleIcon from '@mui/icons-material/People';
import { UserCreate, UserEdit } from './user-forms';
import { UserList } from './user-list';
import { UserShow } from './user-show';

export const users = {
  list: UserList,
  create: UserCreate,
  edit: UserEdit,
  show: UserShow,
  icon: PeopleIcon,
  recordRepresentation: 'name',
  options: { label: 'People' },
};
