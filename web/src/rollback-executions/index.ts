import SettingsBackupRestoreIcon from '@mui/icons-material/SettingsBackupRestore';
import { ExecutionList } from './execution-list';

export const rollbackExecutions = { list: ExecutionList, icon: SettingsBackupRestoreIcon, options: { label: 'Rollbacks' } };
