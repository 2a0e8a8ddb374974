import PeopleIcon from '@mui/icons-material/People';
import { UserCreate, UserEdit } from './user-forms';
import { UserList } from './user-list';

export const users = {
  list: UserList,
  create: UserCreate,
  edit: UserEdit,
  icon: PeopleIcon,
  recordRepresentation: 'name',
  options: { label: 'People' },
};
