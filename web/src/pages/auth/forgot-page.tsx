// Forgotten password: a code by email, then a new password.
import { useState } from 'react';
import { api } from '../../api/client';
import { errorText } from '../../lib/error-text';
import { Link, navigate, useLocation } from '../../lib/router';
import { useToast } from '../../lib/toast';
import { AuthLayout, FormError } from './auth-layout';
import { PASSWORD_HINT } from './register-page';

export function ForgotPage() {
  const { query } = useLocation();
  const toast = useToast();
  const [step, setStep] = useState<'email' | 'reset'>('email');
  const [email, setEmail] = useState(query.get('email') ?? '');
  const [code, setCode] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  const submit = async () => {
    setBusy(true);
    setError('');
    try {
      if (step === 'email') {
        await api('/v1/auth/forgot-password', { method: 'POST', body: { email }, auth: false });
        setStep('reset');
      } else {
        await api('/v1/auth/reset-password', { method: 'POST', body: { email, code: code.trim(), newPassword: password }, auth: false });
        toast.show('Password changed: sign in with the new one');
        navigate(`/login?email=${encodeURIComponent(email)}`, { replace: true });
      }
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <AuthLayout title="Reset your password" subtitle="We’ll email you a code to set a new one." footer={<Link to="/login">Back to sign in</Link>}>
      <form className="stack" onSubmit={(e) => (e.preventDefault(), void submit())}>
        <div className="field">
          <label htmlFor="fp-email">Email</label>
          <input id="fp-email" type="email" autoComplete="email" required value={email} readOnly={step === 'reset'} onChange={(e) => setEmail(e.target.value)} />
        </div>
        {step === 'reset' && (
          <>
            <p className="notice" role="status">If an account uses {email}, a 6-digit code is on its way.</p>
            <div className="field">
              <label htmlFor="fp-code">Code from the email</label>
              <input id="fp-code" inputMode="numeric" autoComplete="one-time-code" maxLength={6} required value={code} onChange={(e) => setCode(e.target.value)} autoFocus />
            </div>
            <div className="field">
              <label htmlFor="fp-password">New password</label>
              <input id="fp-password" type="password" autoComplete="new-password" required minLength={8} maxLength={64} value={password} onChange={(e) => setPassword(e.target.value)} />
              <small className="muted">{PASSWORD_HINT}</small>
            </div>
          </>
        )}
        <FormError text={error} />
        <button type="submit" className="btn btn-primary btn-block" disabled={busy}>
          {busy ? 'Please wait…' : step === 'email' ? 'Email me a code' : 'Set new password'}
        </button>
      </form>
    </AuthLayout>
  );
}
