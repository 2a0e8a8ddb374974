import { Login, LoginForm, PasswordInput, required } from 'react-admin';

/** Sign-in with an API token instead of a user name and password. */
export const LoginPage = () => (
  <Login>
    <LoginForm>
      <PasswordInput
        autoFocus
        source="token"
        label="API token"
        autoComplete="off"
        validate={required()}
      />
    </LoginForm>
  </Login>
);
