// Operators: every account with its plan and usage; change a plan.
import { useEffect, useState } from 'react';
import { api } from '../../api/client';
import type { AdminUser, PlanRow } from '../../api/types';
import { ErrorState, Spinner } from '../../components/ui';
import { errorText } from '../../lib/error-text';
import { formatBytes, formatDate } from '../../lib/format';
import { useToast } from '../../lib/toast';
import { useAsync } from '../../lib/use-async';

type Page = { items: AdminUser[]; nextCursor: string | null };

export function AdminPage() {
  const toast = useToast();
  const [q, setQ] = useState('');
  const [search, setSearch] = useState('');
  const plans = useAsync(() => api<PlanRow[]>('/v1/admin/plans'), []);
  const first = useAsync(() => api<Page>('/v1/admin/users', { query: { q: search || undefined, limit: 50 } }), [search]);
  const [users, setUsers] = useState<AdminUser[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [saving, setSaving] = useState<string | null>(null);

  useEffect(() => {
    if (first.data) {
      setUsers(first.data.items);
      setCursor(first.data.nextCursor);
    }
  }, [first.data]);
  useEffect(() => {
    const t = setTimeout(() => setSearch(q.trim()), 300);
    return () => clearTimeout(t);
  }, [q]);

  const more = async () => {
    try {
      const page = await api<Page>('/v1/admin/users', { query: { q: search || undefined, limit: 50, cursor: cursor ?? undefined } });
      setUsers((u) => [...u, ...page.items]);
      setCursor(page.nextCursor);
    } catch (err) {
      toast.show(errorText(err), 'error');
    }
  };

  const changePlan = async (u: AdminUser, plan: string) => {
    setSaving(u.id);
    try {
      await api(`/v1/admin/users/${u.id}`, { method: 'PATCH', body: { plan } });
      setUsers((all) => all.map((x) => (x.id === u.id ? { ...x, plan } : x)));
      toast.show(`${u.email ?? u.id} is now on ${plan}`);
    } catch (err) {
      toast.show(errorText(err), 'error');
    } finally {
      setSaving(null);
    }
  };

  const planOptions = (plans.data ?? []).slice().sort((a, b) => a.sortOrder - b.sortOrder);
  return (
    <div className="page">
      <header className="page-head">
        <div>
          <h1>Admin</h1>
          <p className="muted">Accounts on this Picora, their plans and what they store.</p>
        </div>
      </header>
      <div className="toolbar" role="search">
        <input type="search" className="grow" placeholder="Search by email or name" aria-label="Search users" value={q} onChange={(e) => setQ(e.target.value)} />
      </div>
      {first.error !== undefined ? (
        <ErrorState what="the accounts" error={first.error} onRetry={first.reload} />
      ) : first.loading && !users.length ? (
        <Spinner />
      ) : (
        <div className="table-wrap card">
          <table className="table table-cards">
            <thead>
              <tr>
                <th scope="col">Account</th>
                <th scope="col">Role</th>
                <th scope="col">Plan</th>
                <th scope="col" className="num">Images</th>
                <th scope="col" className="num">Storage</th>
                <th scope="col">Joined</th>
              </tr>
            </thead>
            <tbody>
              {users.map((u) => (
                <tr key={u.id} className={u.isActive ? '' : 'inactive'}>
                  <td data-label="Account">
                    <strong>{u.email ?? '—'}</strong>
                    {u.nickname && <div className="muted small">{u.nickname}</div>}
                    {!u.isActive && <span className="badge">Inactive</span>}
                  </td>
                  <td data-label="Role">{u.role}</td>
                  <td data-label="Plan">
                    <select aria-label={`Plan of ${u.email ?? u.id}`} value={u.plan} disabled={saving === u.id || !planOptions.length} onChange={(e) => void changePlan(u, e.target.value)}>
                      {!planOptions.some((p) => p.id === u.plan) && <option value={u.plan}>{u.plan}</option>}
                      {planOptions.map((p) => <option key={p.id} value={p.id}>{p.name}</option>)}
                    </select>
                  </td>
                  <td className="num" data-label="Images">{u.usage.imageCount.toLocaleString()}</td>
                  <td className="num" data-label="Storage">{formatBytes(u.usage.imgStorageBytes)}</td>
                  <td data-label="Joined">{formatDate(u.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {!users.length && <p className="muted center pad">No accounts match.</p>}
        </div>
      )}
      {cursor && <div className="center"><button type="button" className="btn" onClick={more}>Load more</button></div>}
    </div>
  );
}
