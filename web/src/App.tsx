import { Admin, Resource } from 'react-admin';
import { createHashRouter, RouterProvider } from 'react-router-dom';
import { authProvider, type Role } from './auth-provider';
import { Dashboard } from './dashboard';
import { dataProvider } from './data-provider';
import { incidents } from './incidents';
import { HeadroomLayout } from './layout';
import { LoginPage } from './login-page';
import { queryClient } from './query-client';
import { runbooks } from './runbooks';
import { schedules } from './schedules';
import { services } from './services';
import { slos } from './slos';
import { users } from './users';
import { escalationPolicies } from './escalation-policies';
import { routes } from './routes';
import { tokens } from './tokens';
import { integrations } from './integrations';
import { audit } from './audit';
import { experiments } from './experiments';
import { heartbeats } from './heartbeats';
import { silences } from './silences';
import { rollbackExecutions } from './rollback-executions';
import { rollbackHooks } from './rollback-hooks';
import { rollbackPolicies } from './rollback-policies';

const Console = () => (
  <Admin
    title="Headroom"
    disableTelemetry
    requireAuth
    authProvider={authProvider}
    dataProvider={dataProvider}
    queryClient={queryClient}
    loginPage={LoginPage}
    dashboard={Dashboard}
    layout={HeadroomLayout}
  >
    {(permissions: Role | null) => (
      <>
        <Resource name="incidents" {...incidents} />
        <Resource name="slos" {...slos} />
        <Resource name="services" {...services} />
        <Resource name="experiments" {...experiments} />
        <Resource name="silences" {...silences} />
        <Resource name="heartbeats" {...heartbeats} />
        <Resource name="rollback-executions" {...rollbackExecutions} />
        <Resource name="rollback-hooks" {...rollbackHooks} />
        <Resource name="rollback-policies" {...rollbackPolicies} />
        <Resource name="runbooks" {...runbooks} />
        <Resource name="schedules" {...schedules} />
        <Resource name="escalation-policies" {...escalationPolicies} />
        <Resource name="routes" {...routes} />
        <Resource name="users" {...users} />
        <Resource name="audit" {...audit} />
        {/* Keys are for admins only (the server refuses everyone else anyway). */}
        {permissions === 'admin' && <Resource name="tokens" {...tokens} />}
        {permissions === 'admin' && <Resource name="integrations" {...integrations} />}
      </>
    )}
  </Admin>
);

/**
 * The same hash data router react-admin would create, but with synchronous location updates.
 * React Router 7 applies navigations in a React transition by default (react-admin's
 * `v7_startTransition: false` flag is ignored by v7). react-admin's logout navigates to /login
 * and then clears the query cache and store with urgent updates, which re-render the protected
 * routes at the old location before the transition commits: `requireAuth` logs out again,
 * navigates again, and so on, for 1000+ history entries (~15 s) until the login page shows.
 */
const router = createHashRouter([{ path: '*', element: <Console /> }]);

export const App = () => <RouterProvider router={router} useTransitions={false} />;
