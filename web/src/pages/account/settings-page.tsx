// The account: profile, password, sign out, and deleting the account (typed confirmation).
import { useState } from 'react';
import { api } from '../../api/client';
import type { User } from '../../api/types';
import { ConfirmDialog } from '../../components/dialog';
import { useAuth } from '../../lib/auth';
import { errorText } from '../../lib/error-text';
import { formatDate } from '../../lib/format';
import { navigate } from '../../lib/router';
import { useToast } from '../../lib/toast';
import { PASSWORD_HINT } from '../auth/register-page';
import { Appearance } from './appearance';
import { AvatarPicker } from './avatar-picker';

function Profile({ user }: { user: User }) {
  const { setUser } = useAuth();
  const toast = useToast();
  const [nickname, setNickname] = useState(user.nickname ?? '');
  const [busy, setBusy] = useState(false);
  // No language choice: the dashboard is in English only (the API keeps `locale` for clients that use it).
  const dirty = nickname !== (user.nickname ?? '');

  const save = async () => {
    setBusy(true);
    try {
      setUser(await api<User>('/v1/user/me', { method: 'PATCH', body: { nickname: nickname.trim() || null } }));
      toast.show('Profile saved');
    } catch (err) {
      toast.show(errorText(err), 'error');
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card" aria-labelledby="profile-h">
      <h2 id="profile-h">Profile</h2>
      <AvatarPicker user={user} />
      <form className="stack" onSubmit={(e) => (e.preventDefault(), void save())}>
        <div className="field">
          <label htmlFor="pf-email">Email</label>
          <input id="pf-email" value={user.email ?? ''} readOnly />
          <small className="muted">Member since {formatDate(user.createdAt)} · {user.role === 'admin' ? 'Administrator' : 'Member'}</small>
        </div>
        <div className="field">
          <label htmlFor="pf-nick">Display name</label>
          <input id="pf-nick" maxLength={50} value={nickname} onChange={(e) => setNickname(e.target.value)} />
        </div>
        <div><button type="submit" className="btn btn-primary" disabled={!dirty || busy}>Save profile</button></div>
      </form>
    </section>
  );
}

function ChangePassword() {
  const toast = useToast();
  const [oldPassword, setOld] = useState('');
  const [newPassword, setNew] = useState('');
  const [confirm, setConfirm] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  const submit = async () => {
    if (newPassword !== confirm) return setError('The two new passwords differ.');
    setBusy(true);
    setError('');
    try {
      await api('/v1/user/me/change-password', { method: 'POST', body: { oldPassword, newPassword } });
      toast.show('Password changed');
      setOld('');
      setNew('');
      setConfirm('');
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card" aria-labelledby="pw-h">
      <h2 id="pw-h">Password</h2>
      <form className="stack" onSubmit={(e) => (e.preventDefault(), void submit())}>
        <div className="field">
          <label htmlFor="pw-old">Current password</label>
          <input id="pw-old" type="password" autoComplete="current-password" required value={oldPassword} onChange={(e) => setOld(e.target.value)} />
        </div>
        <div className="form-row">
          <div className="field grow">
            <label htmlFor="pw-new">New password</label>
            <input id="pw-new" type="password" autoComplete="new-password" required minLength={8} maxLength={64} value={newPassword} onChange={(e) => setNew(e.target.value)} />
          </div>
          <div className="field grow">
            <label htmlFor="pw-confirm">Repeat new password</label>
            <input id="pw-confirm" type="password" autoComplete="new-password" required value={confirm} onChange={(e) => setConfirm(e.target.value)} />
          </div>
        </div>
        <small className="muted">{PASSWORD_HINT}</small>
        {error && <p className="form-error" role="alert">{error}</p>}
        <div><button type="submit" className="btn btn-primary" disabled={busy}>Change password</button></div>
      </form>
    </section>
  );
}

export function SettingsPage() {
  const { user, signOut, forget } = useAuth();
  const toast = useToast();
  const [deleting, setDeleting] = useState(false);
  const [busy, setBusy] = useState(false);
  if (!user) return null;
  const confirmWord = user.email ?? 'DELETE';

  const deleteAccount = async () => {
    setBusy(true);
    try {
      await api('/v1/user/me', { method: 'DELETE' });
      forget();
      toast.show('Your account and images were deleted');
      navigate('/register', { replace: true });
    } catch (err) {
      toast.show(errorText(err), 'error');
      setBusy(false);
    }
  };

  return (
    <div className="page narrow">
      <header className="page-head">
        <div>
          <h1>Settings</h1>
          <p className="muted">Your profile, appearance, password and account.</p>
        </div>
        <button type="button" className="btn" onClick={() => void signOut().then(() => navigate('/login'))}>Sign out</button>
      </header>
      <Profile user={user} />
      <Appearance />
      <ChangePassword />
      <section className="card danger-zone" aria-labelledby="del-h">
        <h2 id="del-h">Delete account</h2>
        <p className="muted">Deletes your account, every image and every API key. Links to your images stop working. This cannot be undone.</p>
        <div><button type="button" className="btn btn-danger" onClick={() => setDeleting(true)}>Delete my account…</button></div>
      </section>
      <ConfirmDialog open={deleting} title="Delete your account?" confirmLabel="Delete everything" danger requireText={confirmWord} busy={busy} onConfirm={deleteAccount} onClose={() => setDeleting(false)}>
        <p>All images, keys and settings of {user.email} are removed for good.</p>
      </ConfirmDialog>
    </div>
  );
}
