import DnsIcon from '@mui/icons-material/Dns';
import { ServiceList } from './service-list';

export const services = {
  list: ServiceList,
  icon: DnsIcon,
  recordRepresentation: 'name',
};
