// Create an account: an emailed 6-digit code proves the address, then a password.
import { useState } from 'react';
import { api } from '../../api/client';
import type { User } from '../../api/types';
import { useAuth } from '../../lib/auth';
import { errorText } from '../../lib/error-text';
import { Link, navigate } from '../../lib/router';
import { AuthLayout, FormError } from './auth-layout';

export const PASSWORD_HINT = '8 to 64 characters, with at least one letter and one digit.';

export function RegisterPage() {
  const { signedIn } = useAuth();
  const [step, setStep] = useState<'email' | 'code'>('email');
  const [email, setEmail] = useState('');
  const [code, setCode] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState('');
  const [info, setInfo] = useState('');
  const [busy, setBusy] = useState(false);

  const sendCode = async () => {
    setBusy(true);
    setError('');
    try {
      await api('/v1/auth/send-code', { method: 'POST', body: { email, type: 'register' }, auth: false });
      setStep('code');
      setInfo(`We sent a 6-digit code to ${email}. It expires in 5 minutes.`);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  const register = async () => {
    setBusy(true);
    setError('');
    try {
      const r = await api<{ accessToken: string; user: User }>('/v1/auth/register', { method: 'POST', body: { email, password, code: code.trim() }, auth: false });
      signedIn(r.accessToken, r.user);
      navigate('/', { replace: true });
    } catch (err) {
      setError(errorText(err));
      setBusy(false);
    }
  };

  return (
    <AuthLayout
      title="Create your account"
      subtitle="Host, transform and share images from your own Picora."
      footer={<>Already have an account? <Link to="/login">Sign in</Link></>}
    >
      <form
        className="stack"
        onSubmit={(e) => {
          e.preventDefault();
          void (step === 'email' ? sendCode() : register());
        }}
      >
        <div className="field">
          <label htmlFor="reg-email">Email</label>
          <input id="reg-email" type="email" autoComplete="email" required value={email} readOnly={step === 'code'} onChange={(e) => setEmail(e.target.value)} />
        </div>
        {step === 'code' && (
          <>
            <p className="notice" role="status">{info}</p>
            <div className="field">
              <label htmlFor="reg-code">Verification code</label>
              <input id="reg-code" inputMode="numeric" autoComplete="one-time-code" pattern="[0-9]{6}" maxLength={6} required value={code} onChange={(e) => setCode(e.target.value)} autoFocus />
            </div>
            <div className="field">
              <label htmlFor="reg-password">Password</label>
              <input id="reg-password" type="password" autoComplete="new-password" required minLength={8} maxLength={64} value={password} onChange={(e) => setPassword(e.target.value)} />
              <small className="muted">{PASSWORD_HINT}</small>
            </div>
          </>
        )}
        <FormError text={error} />
        <button type="submit" className="btn btn-primary btn-block" disabled={busy}>
          {busy ? 'Please wait…' : step === 'email' ? 'Email me a code' : 'Create account'}
        </button>
        {step === 'code' && (
          <div className="row between small">
            <button type="button" className="link-btn" onClick={() => (setStep('email'), setCode(''), setError(''))}>Use another email</button>
            <button type="button" className="link-btn" onClick={() => void sendCode()} disabled={busy}>Send a new code</button>
          </div>
        )}
      </form>
    </AuthLayout>
  );
}
