import { useMemo, useState, type FormEvent } from 'react';
import { useLocation } from 'wouter';
import { createShipyardClient } from '../../../client/src/index.js';
import { LogInDocument, SignUpDocument } from '../generated/graphql.js';
import { setToken } from '../session.js';

export function LoginPage() {
  const [mode, setMode] = useState<'login' | 'signup'>('login');
  const [error, setError] = useState<string | null>(null);
  const [, navigate] = useLocation();
  const client = useMemo(() => createShipyardClient({ url: '/graphql' }), []);
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const email = String(form.get('email'));
    const password = String(form.get('password'));
    const result =
      mode === 'signup'
        ? await client.mutation(SignUpDocument, { input: { email, password, name: String(form.get('name') || email.split('@')[0]) } }).toPromise()
        : await client.mutation(LogInDocument, { input: { email, password } }).toPromise();
    const token = result.data && ('signUp' in result.data ? result.data.signUp.token : result.data.logIn.token);
    if (!token) return setError(result.error?.graphQLErrors[0]?.message ?? result.error?.message ?? 'Failed');
    setToken(token);
    navigate('/');
  };
  return (
    <div className="login">
      <h1>⚓ Shipyard</h1>
      <form onSubmit={submit} className="card">
        <h2>{mode === 'signup' ? 'Create an account' : 'Log in'}</h2>
        {mode === 'signup' ? <input name="name" placeholder="Name" autoComplete="name" /> : null}
        <input name="email" type="email" placeholder="Email" required autoComplete="email" />
        <input name="password" type="password" placeholder="Password (10+ characters)" required autoComplete={mode === 'signup' ? 'new-password' : 'current-password'} />
        {error ? <p className="error" role="alert">{error}</p> : null}
        <button type="submit">{mode === 'signup' ? 'Sign up' : 'Log in'}</button>
        <button type="button" className="link" onClick={() => (setMode(mode === 'signup' ? 'login' : 'signup'), setError(null))}>
          {mode === 'signup' ? 'I have an account' : 'Create an account'}
        </button>
      </form>
    </div>
  );
}
