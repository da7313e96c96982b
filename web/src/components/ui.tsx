// Small shared pieces: meters, copy fields, tag input, and the loading / empty / error states.
import { useId, useState, type KeyboardEvent, type ReactNode } from 'react';
import { copyText } from '../lib/clipboard';
import { Icon, type ICONS } from './icons';
import { errorText } from '../lib/error-text';
import { percent } from '../lib/format';
import { useToast } from '../lib/toast';

export function Meter({ label, used, limit, detail }: { label: string; used: number; limit: number; detail: string }) {
  const p = percent(used, limit);
  const tone = p >= 90 ? 'danger' : p >= 70 ? 'warn' : 'ok';
  return (
    <div className="meter">
      <div className="meter-head">
        <span>{label}</span>
        <span className="muted">{detail}</span>
      </div>
      <div className={`bar bar-${tone}`} role="meter" aria-label={label} aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(p)}>
        <span style={{ width: `${Math.max(p, used > 0 ? 1 : 0)}%` }} />
      </div>
    </div>
  );
}

export function CopyButton({ text, label = 'Copy', className }: { text: string; label?: string; className?: string }) {
  const toast = useToast();
  const [done, setDone] = useState(false);
  return (
    <button
      type="button"
      className={`btn btn-small ${className ?? ''}`}
      onClick={async () => {
        const ok = await copyText(text);
        if (ok) {
          setDone(true);
          setTimeout(() => setDone(false), 1500);
        } else toast.show('Copying failed: select the text and copy it yourself', 'error');
      }}
    >
      {done ? 'Copied ✓' : label}
    </button>
  );
}

export function CopyField({ label, value }: { label: string; value: string }) {
  const id = useId();
  return (
    <div className="copy-field">
      <label htmlFor={id}>{label}</label>
      <div className="copy-row">
        <input id={id} readOnly value={value} onFocus={(e) => e.currentTarget.select()} className="mono" />
        <CopyButton text={value} />
      </div>
    </div>
  );
}

export function TagInput({ id, tags, onChange, placeholder }: { id?: string; tags: string[]; onChange(t: string[]): void; placeholder?: string }) {
  const [draft, setDraft] = useState('');
  const add = (raw: string) => {
    const next = raw.split(',').map((t) => t.trim()).filter((t) => t && !tags.includes(t));
    if (next.length) onChange([...tags, ...next.map((t) => t.slice(0, 32))].slice(0, 10));
    setDraft('');
  };
  const onKey = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'Enter' || e.key === ',') {
      e.preventDefault();
      add(draft);
    } else if (e.key === 'Backspace' && !draft && tags.length) onChange(tags.slice(0, -1));
  };
  return (
    <div className="tag-input">
      {tags.map((t) => (
        <span key={t} className="chip">
          {t}
          <button type="button" aria-label={`Remove tag ${t}`} onClick={() => onChange(tags.filter((x) => x !== t))}>
            ×
          </button>
        </span>
      ))}
      <input
        id={id}
        value={draft}
        placeholder={tags.length ? '' : (placeholder ?? 'Add tags…')}
        onChange={(e) => setDraft(e.target.value)}
        onKeyDown={onKey}
        onBlur={() => draft && add(draft)}
        maxLength={32}
        disabled={tags.length >= 10 && !draft}
      />
    </div>
  );
}

export function Spinner({ label = 'Loading…' }: { label?: string }) {
  return (
    <div className="state" role="status">
      <span className="spinner" aria-hidden="true" />
      <span>{label}</span>
    </div>
  );
}

export function ErrorState({ error, onRetry, what }: { error: unknown; onRetry?: () => void; what: string }) {
  return (
    <div className="state state-error" role="alert">
      <strong>Couldn’t load {what}.</strong>
      <span>{errorText(error)}</span>
      {onRetry && (
        <button type="button" className="btn" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function EmptyState({ title, children, icon = 'image' }: { title: string; children?: ReactNode; icon?: keyof typeof ICONS }) {
  return (
    <div className="state state-empty">
      <span className="state-icon">
        <Icon name={icon} size={32} />
      </span>
      <strong>{title}</strong>
      {children}
    </div>
  );
}

export function Field({ label, children, hint, htmlFor }: { label: string; children: ReactNode; hint?: ReactNode; htmlFor: string }) {
  return (
    <div className="field">
      <label htmlFor={htmlFor}>{label}</label>
      {children}
      {hint && <small className="muted">{hint}</small>}
    </div>
  );
}
