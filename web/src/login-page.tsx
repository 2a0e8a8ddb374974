import { useState } from 'react';
import { Login, LoginForm, PasswordInput, TextInput, required } from 'react-admin';
import { Button } from '@mui/material';

/** Email and password; an API token can be used instead (automation, break-glass access). */
export const LoginPage = () => {
  const [withToken, setWithToken] = useState(false);
  return (
    <Login>
      <LoginForm key={withToken ? 'token' : 'password'}>
        {withToken ? (
          <PasswordInput autoFocus source="token" label="API token" autoComplete="off" validate={required()} />
        ) : (
          <>
            <TextInput autoFocus source="email" label="Email" type="email" autoComplete="username" validate={required()} />
            <PasswordInput source="password" label="Password" autoComplete="current-password" validate={required()} />
          </>
        )}
      </LoginForm>
      <Button size="small" sx={{ mb: 2 }} onClick={() => setWithToken((v) => !v)}>
        {withToken ? 'Sign in with email and password' : 'Use an API token instead'}
      </Button>
    </Login>
  );
};
