import KeyIcon from '@mui/icons-material/Key';
import { KeyList, type KeyKind } from '../key-list';

const kind: KeyKind = {
  resource: 'tokens',
  title: 'API tokens',
  newLabel: 'New API token',
  description: 'Bearer tokens for scripts and automation, each with a role.',
  field: 'role',
  label: 'Role',
  values: ['viewer', 'responder', 'admin'],
};

export const tokens = { list: () => <KeyList kind={kind} />, icon: KeyIcon, options: { label: 'API tokens' } };
