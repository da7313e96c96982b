// The account's picture: uploaded to the server (re-encoded square there, not counted in any quota) and shown
// in the sidebar; or removed.
import { useRef, useState } from 'react';
import { api } from '../../api/client';
import { uploadAvatar } from '../../api/upload';
import type { User } from '../../api/types';
import { useAuth } from '../../lib/auth';
import { errorText } from '../../lib/error-text';
import { useToast } from '../../lib/toast';

const ACCEPT = 'image/jpeg,image/png,image/webp,image/gif';
const MAX_BYTES = 2 * 1024 * 1024;

export function Avatar({ user, size }: { user: User; size: number }) {
  const initial = (user.nickname || user.email || '?').trim().charAt(0).toUpperCase();
  return user.avatarUrl ? (
    <img className="avatar" src={user.avatarUrl} alt="" width={size} height={size} data-testid="avatar" />
  ) : (
    <span className="avatar avatar-empty" style={{ width: size, height: size, fontSize: size * 0.45 }} aria-hidden="true">{initial}</span>
  );
}

export function AvatarPicker({ user }: { user: User }) {
  const { setUser } = useAuth();
  const toast = useToast();
  const input = useRef<HTMLInputElement>(null);
  const [busy, setBusy] = useState(false);

  const run = async (work: () => Promise<User>, done: string) => {
    setBusy(true);
    try {
      setUser(await work());
      toast.show(done);
    } catch (err) {
      toast.show(errorText(err), 'error');
    } finally {
      setBusy(false);
    }
  };

  const picked = (file: File | undefined) => {
    if (input.current) input.current.value = '';
    if (!file) return;
    if (file.size > MAX_BYTES) return toast.show('Choose a picture of at most 2 MB.', 'error');
    void run(async () => ({ ...user, avatarUrl: (await uploadAvatar(file).done).avatarUrl }), 'Avatar updated');
  };

  return (
    <div className="field">
      <span className="label">Avatar</span>
      <div className="row gap-s">
        <Avatar user={user} size={56} />
        <button type="button" className="btn" disabled={busy} onClick={() => input.current?.click()}>
          {busy ? 'Working…' : user.avatarUrl ? 'Change picture…' : 'Choose picture…'}
        </button>
        {user.avatarUrl && (
          <button type="button" className="btn btn-ghost" disabled={busy} onClick={() => run(() => api<User>('/v1/user/me', { method: 'PATCH', body: { avatarUrl: null } }), 'Avatar removed')}>
            Remove
          </button>
        )}
      </div>
      <small className="muted">JPEG, PNG, WebP or GIF up to 2 MB; cropped to a square.</small>
      <input ref={input} type="file" accept={ACCEPT} hidden onChange={(e) => picked(e.target.files?.[0])} data-testid="avatar-input" />
    </div>
  );
}
