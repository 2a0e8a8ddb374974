import { Admin, Resource } from 'react-admin';
import { authProvider } from './auth-provider';
import { dataProvider } from './data-provider';
import { incidents } from './incidents';
import { LoginPage } from './login-page';
import { queryClient } from './query-client';
import { runbooks } from './runbooks';
import { slos } from './slos';

export const App = () => (
  <Admin
    title="Headroom"
    disableTelemetry
    requireAuth
    authProvider={authProvider}
    dataProvider={dataProvider}
    queryClient={queryClient}
    loginPage={LoginPage}
  >
    <Resource name="incidents" {...incidents} />
    <Resource name="slos" {...slos} />
    <Resource name="runbooks" {...runbooks} />
  </Admin>
);
