'use client';

import { useRef, useState, type FormEvent } from 'react';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { api, ApiError } from '~/lib/api-client';
import { FieldError, fieldA11y } from '~/components/field-error';
import { useConfirm } from '~/components/confirm-dialog';
import { UserAvatar } from '~/components/user-avatar';
import type { TProfileView } from '~/server/accounts/profile-view';

type TErrors = Partial<Record<string, string>>;
type TStatus = { kind: 'success' | 'error'; text: string } | null;

/** The server's refusal placed on the fields it names; anything else becomes the form's own message. */
function errorsOf(err: unknown): { fields: TErrors; message: string | null } {
  const issues =
    err instanceof ApiError ? (err.details as { issues?: { path: string; message: string }[] })?.issues : [];
  const fields: TErrors = {};
  for (const i of issues ?? []) fields[i.path] ??= i.message;
  if (Object.keys(fields).length > 0) return { fields, message: null };
  return { fields, message: err instanceof ApiError ? err.message : 'Something went wrong. Try again.' };
}

/**
 * One form's errors, message and busy state, and `send`: clears them, runs the request, shows the success text it
 * returns, or places the server's refusal on the fields it names.
 */
function useFormSend() {
  const [errors, setErrors] = useState<TErrors>({});
  const [status, setStatus] = useState<TStatus>(null);
  const [busy, setBusy] = useState(false);
  async function send(e: FormEvent, run: () => Promise<string>) {
    e.preventDefault();
    setBusy(true);
    setErrors({});
    setStatus(null);
    try {
      setStatus({ kind: 'success', text: await run() });
    } catch (err) {
      const { fields, message } = errorsOf(err);
      setErrors(fields);
      if (message) setStatus({ kind: 'error', text: message });
    } finally {
      setBusy(false);
    }
  }
  return { errors, setErrors, status, setStatus, busy, setBusy, send };
}

function Status({ status, testId }: { status: TStatus; testId: string }) {
  if (!status) return null;
  return (
    <p className={`alert ${status.kind}`} role={status.kind === 'error' ? 'alert' : 'status'} data-testid={testId}>
      {status.text}
    </p>
  );
}

export function ProfileClient({ initial }: { initial: TProfileView }) {
  const [profile, setProfile] = useState(initial);
  return (
    <div className="stack">
      <IdentityCard profile={profile} onChange={setProfile} />
      <EmailCard profile={profile} onChange={setProfile} />
      <PasswordCard hasPassword={profile.hasPassword} email={profile.email} />
    </div>
  );
}

function IdentityCard({ profile, onChange }: { profile: TProfileView; onChange(p: TProfileView): void }) {
  const router = useRouter();
  const [name, setName] = useState(profile.name ?? '');
  const { errors, setErrors, status, setStatus, busy, setBusy, send } = useFormSend();
  const fileRef = useRef<HTMLInputElement>(null);
  const [dialog, confirm] = useConfirm();

  async function refresh() {
    onChange((await api<{ profile: TProfileView }>('/api/app/me/profile')).profile);
    router.refresh();
  }

  function saveName(e: FormEvent) {
    return send(e, async () => {
      const res = await api<{ profile: TProfileView }>('/api/app/me/profile', { method: 'PATCH', body: { name } });
      onChange(res.profile);
      setName(res.profile.name ?? '');
      router.refresh();
      return 'Name saved.';
    });
  }

  async function upload(file: File) {
    setStatus(null);
    setErrors({});
    if (file.size > 1024 * 1024) {
      setErrors({ avatar: 'must be at most 1 MB' });
      return;
    }
    setBusy(true);
    try {
      // Raw bytes: the server decides the type from them, whatever the browser declares.
      const res = await fetch('/api/app/me/avatar', { method: 'POST', body: file, credentials: 'same-origin' });
      if (!res.ok) {
        const body = (await res.json().catch(() => null)) as { error?: { message?: string } } | null;
        setErrors({ avatar: body?.error?.message ?? 'could not be uploaded' });
        return;
      }
      await refresh();
      setStatus({ kind: 'success', text: 'Avatar saved.' });
    } catch {
      setErrors({ avatar: 'could not be uploaded: check your connection and try again' });
    } finally {
      setBusy(false);
      if (fileRef.current) fileRef.current.value = '';
    }
  }

  async function remove() {
    const ok = await confirm({
      title: 'Remove your avatar?',
      body: <p style={{ margin: 0 }}>Your teammates see your initials instead.</p>,
      confirmLabel: 'Remove avatar',
      destructive: true,
    });
    if (!ok) return;
    setBusy(true);
    setStatus(null);
    try {
      await api('/api/app/me/avatar', { method: 'DELETE', body: {} });
      await refresh();
      setStatus({ kind: 'success', text: 'Avatar removed.' });
    } catch (err) {
      setStatus({ kind: 'error', text: errorsOf(err).message ?? 'Could not remove the avatar.' });
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="card stack" aria-labelledby="profile-identity">
      {dialog}
      <h2 id="profile-identity">Name and avatar</h2>
      <div className="row profile-avatar-row">
        <UserAvatar name={profile.name} email={profile.email} url={profile.avatarUrl} size={64} />
        <div className="stack">
          <label className="field">
            <span>Avatar</span>
            <input
              ref={fileRef}
              type="file"
              accept="image/png,image/jpeg,image/webp"
              disabled={busy}
              onChange={(e) => {
                const file = e.target.files?.[0];
                if (file) void upload(file);
              }}
              {...fieldA11y(errors, 'avatar', 'avatar-hint')}
            />
            <small id="avatar-hint">PNG, JPEG or WebP, up to 1 MB.</small>
            <FieldError errors={errors} name="avatar" />
          </label>
          {profile.avatarUrl ? (
            <div>
              <button type="button" className="btn danger-outline" disabled={busy} onClick={() => void remove()}>
                Remove avatar
              </button>
            </div>
          ) : null}
        </div>
      </div>
      <form className="stack" onSubmit={(e) => void saveName(e)} aria-label="Change name" noValidate>
        <TextField
          label="Name"
          name="name"
          value={name}
          onChange={setName}
          errors={errors}
          autoComplete="name"
          maxLength={80}
          hint="Shown to your teammates, next to your replies. Up to 80 characters."
        />
        <div>
          <button type="submit" className="btn" disabled={busy || name.trim() === (profile.name ?? '')}>
            Save name
          </button>
        </div>
      </form>
      <Status status={status} testId="profile-identity-status" />
    </section>
  );
}

function EmailCard({ profile, onChange }: { profile: TProfileView; onChange(p: TProfileView): void }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const { errors, status, busy, send } = useFormSend();

  function submit(e: FormEvent) {
    return send(e, async () => {
      const res = await api<{ pendingEmail: string }>('/api/app/me/email', {
        body: { email, ...(profile.hasPassword ? { currentPassword: password } : {}) },
      });
      onChange({ ...profile, pendingEmail: res.pendingEmail });
      setEmail('');
      setPassword('');
      return `We sent a link to ${res.pendingEmail}. Your email changes when you open it (within 24 hours).`;
    });
  }

  return (
    <section className="card stack" aria-labelledby="profile-email">
      <h2 id="profile-email">Email</h2>
      <p style={{ margin: 0 }}>
        You sign in and get notifications as <strong data-testid="profile-email">{profile.email}</strong>.
      </p>
      {profile.pendingEmail ? (
        <p className="alert info" data-testid="profile-pending-email">
          Waiting for confirmation: <strong>{profile.pendingEmail}</strong>. Open the link we mailed there.
        </p>
      ) : null}
      <form className="stack" onSubmit={(e) => void submit(e)} aria-label="Change email" noValidate>
        <TextField
          label="New email"
          name="email"
          type="email"
          value={email}
          onChange={setEmail}
          errors={errors}
          autoComplete="email"
          required
        />
        {profile.hasPassword ? (
          <TextField
            label="Current password"
            name="currentPassword"
            type="password"
            value={password}
            onChange={setPassword}
            errors={errors}
            autoComplete="current-password"
          />
        ) : null}
        <div>
          <button type="submit" className="btn" disabled={busy || email.trim() === ''}>
            Send confirmation link
          </button>
        </div>
      </form>
      <Status status={status} testId="profile-email-status" />
    </section>
  );
}

function PasswordCard({ hasPassword, email }: { hasPassword: boolean; email: string }) {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const { errors, status, busy, send } = useFormSend();

  if (!hasPassword)
    return (
      <section className="card stack" aria-labelledby="profile-password">
        <h2 id="profile-password">Password</h2>
        <p style={{ margin: 0 }}>
          You sign in with a link or another provider.{' '}
          <Link href={`/forgot-password?email=${encodeURIComponent(email)}`}>Set a password</Link> through a link mailed
          to you.
        </p>
      </section>
    );

  function submit(e: FormEvent) {
    return send(e, async () => {
      await api('/api/app/me/password', { body: { currentPassword: current, newPassword: next } });
      setCurrent('');
      setNext('');
      return 'Password changed. Your other devices are signed out.';
    });
  }

  return (
    <section className="card stack" aria-labelledby="profile-password">
      <h2 id="profile-password">Password</h2>
      <form className="stack" onSubmit={(e) => void submit(e)} aria-label="Change password" noValidate>
        <TextField
          label="Current password"
          name="currentPassword"
          type="password"
          value={current}
          onChange={setCurrent}
          errors={errors}
          autoComplete="current-password"
        />
        <TextField
          label="New password"
          name="newPassword"
          type="password"
          value={next}
          onChange={setNext}
          errors={errors}
          autoComplete="new-password"
          hint="At least 10 characters. Your other devices are signed out."
        />
        <div>
          <button type="submit" className="btn" disabled={busy || current === '' || next === ''}>
            Change password
          </button>
        </div>
      </form>
      <Status status={status} testId="profile-password-status" />
    </section>
  );
}

/** A labelled input of these forms: the server's error for `name` under it, and an optional hint it refers to. */
function TextField({
  label,
  name,
  value,
  onChange,
  errors,
  hint,
  type = 'text',
  ...input
}: {
  label: string;
  name: string;
  value: string;
  onChange: (value: string) => void;
  errors: Partial<Record<string, string>>;
  hint?: string;
  type?: 'text' | 'email' | 'password';
  autoComplete: string;
  maxLength?: number;
  required?: boolean;
}) {
  const hintId = hint ? `${name}-hint` : undefined;
  return (
    <label className="field">
      <span>{label}</span>
      <input
        type={type}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        {...input}
        {...fieldA11y(errors, name, hintId)}
      />
      {hint ? <small id={hintId}>{hint}</small> : null}
      <FieldError errors={errors} name={name} />
    </label>
  );
}
