// Sign in with email and password.
import { useState } from 'react';
import { api } from '../../api/client';
import type { User } from '../../api/types';
import { useAuth } from '../../lib/auth';
import { errorText } from '../../lib/error-text';
import { Link, navigate, safeNext, useLocation } from '../../lib/router';
import { AuthLayout, FormError } from './auth-layout';

export function LoginPage() {
  const { signedIn } = useAuth();
  const { query } = useLocation();
  const [email, setEmail] = useState(query.get('email') ?? '');
  const [password, setPassword] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  return (
    <AuthLayout title="Welcome back" subtitle="Sign in to your image library." footer={<>New here? <Link to="/register">Create an account</Link></>}>
      <form
        className="stack"
        onSubmit={async (e) => {
          e.preventDefault();
          setBusy(true);
          setError('');
          try {
            const r = await api<{ accessToken: string; user: User }>('/v1/auth/login', { method: 'POST', body: { email, password }, auth: false });
            signedIn(r.accessToken, r.user);
            navigate(safeNext(query.get('next')), { replace: true });
          } catch (err) {
            setError(errorText(err));
            setBusy(false);
          }
        }}
      >
        <div className="field">
          <label htmlFor="login-email">Email</label>
          <input id="login-email" type="email" autoComplete="email" required value={email} onChange={(e) => setEmail(e.target.value)} />
        </div>
        <div className="field">
          <div className="row between">
            <label htmlFor="login-password">Password</label>
            <Link to={`/forgot${email ? `?email=${encodeURIComponent(email)}` : ''}`} className="small">Forgot password?</Link>
          </div>
          <input id="login-password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
        </div>
        <FormError text={error} />
        <button type="submit" className="btn btn-primary btn-block" disabled={busy}>{busy ? 'Signing in…' : 'Sign in'}</button>
      </form>
    </AuthLayout>
  );
}
