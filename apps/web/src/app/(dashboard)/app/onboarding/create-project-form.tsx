'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { api, ApiError } from '~/lib/api-client';
import { MAX_ALLOWED_ORIGINS, normalizeOrigin } from '~/server/projects/origins';

function originOf(url: string): string | null {
  try {
    const u = new URL(url.trim());
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.origin : null;
  } catch {
    return null;
  }
}

/** Step 2: the first project — site name, URL, and the origins allowed to load the widget (default: the URL's). */
export function CreateProjectForm({ orgId, testOrigin }: { orgId: string; testOrigin: string }) {
  const router = useRouter();
  const [name, setName] = useState('');
  const [siteUrl, setSiteUrl] = useState('');
  const [originsText, setOriginsText] = useState('');
  const [originsTouched, setOriginsTouched] = useState(false);
  const [allowTestPage, setAllowTestPage] = useState(true);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const derived = originOf(siteUrl);
  const text = originsTouched ? originsText : (derived ?? '');
  const lines = text
    .split(/[\n,]/)
    .map((l) => l.trim())
    .filter(Boolean);
  const checks = lines.map((l) => ({ line: l, result: normalizeOrigin(l) }));
  const originErrors = checks
    .filter((c) => !c.result.ok)
    .map((c) => `"${c.line}" ${c.result.ok ? '' : c.result.error}`);
  if (lines.length > MAX_ALLOWED_ORIGINS) originErrors.push(`At most ${MAX_ALLOWED_ORIGINS} origins.`);
  const siteUrlError = siteUrl.trim() !== '' && !derived ? 'Enter the full address, like https://example.com' : null;
  const canSubmit = name.trim() !== '' && derived !== null && lines.length > 0 && originErrors.length === 0 && !busy;

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    if (!canSubmit) return;
    setBusy(true);
    setError(null);
    try {
      const res = await api<{ project: { id: string } }>(`/api/app/orgs/${orgId}/projects`, {
        method: 'POST',
        body: { name, siteUrl: siteUrl.trim(), allowedOrigins: lines, allowTestPage },
      });
      router.push(`/app/onboarding?org=${orgId}&project=${res.project.id}`);
    } catch (err) {
      setError(err instanceof ApiError ? err.message : 'Something went wrong; try again.');
      setBusy(false);
    }
  }

  return (
    <form className="card stack" onSubmit={(e) => void submit(e)}>
      <label className="field">
        <span>Site name</span>
        <input
          type="text"
          name="name"
          value={name}
          onChange={(e) => setName(e.target.value)}
          maxLength={80}
          required
          autoFocus
          placeholder="My shop"
        />
      </label>
      <label className="field">
        <span>Site URL</span>
        <input
          type="url"
          name="siteUrl"
          value={siteUrl}
          onChange={(e) => setSiteUrl(e.target.value)}
          required
          placeholder="https://example.com"
          inputMode="url"
        />
        {siteUrlError ? <span className="field-error">{siteUrlError}</span> : null}
      </label>
      <label className="field">
        <span>Allowed origins</span>
        <textarea
          name="allowedOrigins"
          value={text}
          onChange={(e) => {
            setOriginsTouched(true);
            setOriginsText(e.target.value);
          }}
          rows={3}
          placeholder="https://example.com"
        />
        <small>
          One per line: scheme and host, with a port if not the default (https://shop.example.com,
          http://localhost:3000). https://*.example.com allows every subdomain. The widget refuses to load anywhere
          else.
        </small>
        {originErrors.map((m) => (
          <span key={m} className="field-error">
            {m}
          </span>
        ))}
      </label>
      <label className="check-row">
        <input type="checkbox" checked={allowTestPage} onChange={(e) => setAllowTestPage(e.target.checked)} />
        <span>
          Also allow <code>{testOrigin}</code>, so you can try the chat from this dashboard (you can remove it later).
        </span>
      </label>
      {error ? <div className="alert error">{error}</div> : null}
      <div className="row">
        <button className="btn" type="submit" disabled={!canSubmit}>
          {busy ? 'Creating…' : 'Create the project'}
        </button>
      </div>
    </form>
  );
}
