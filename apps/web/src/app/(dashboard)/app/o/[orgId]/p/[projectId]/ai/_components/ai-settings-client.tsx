'use client';

import { useState } from 'react';
import type { TAiSettings } from '@pocketping/ai';
import { api, ApiError } from '~/lib/api-client';
import type { TAiPageData } from '~/server/ai/ai-settings';

type TNotice = { kind: 'success' | 'error'; text: string } | null;

const errorText = (err: unknown) =>
  err instanceof ApiError
    ? ((err.details as { issues?: { path: string; message: string }[] } | undefined)?.issues
        ?.map((i) => `${i.path}: ${i.message}`)
        .join('; ') ?? err.message)
    : 'Could not save; try again.';

const dollars = (micro: number) => `$${(micro / 1_000_000).toFixed(micro < 10_000_000 ? 4 : 2)}`;

export function AiSettingsClient({
  orgId,
  projectId,
  initial,
  canEdit,
}: {
  orgId: string;
  projectId: string;
  initial: TAiPageData;
  canEdit: boolean;
}) {
  const [s, setS] = useState<TAiSettings>(initial.settings);
  const [key, setKey] = useState(initial.key);
  const [newKey, setNewKey] = useState('');
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<TNotice>(null);
  const [keyNotice, setKeyNotice] = useState<TNotice>(null);
  const set = <K extends keyof TAiSettings>(k: K, v: TAiSettings[K]) => setS((prev) => ({ ...prev, [k]: v }));
  const usage = initial.usage;

  async function save() {
    setBusy(true);
    setNotice(null);
    try {
      const body = { ...s, ...(s.avatarUrl ? {} : { avatarUrl: undefined }) };
      const res = await api<{ settings: TAiSettings }>(`/api/app/orgs/${orgId}/projects/${projectId}/ai`, {
        method: 'PUT',
        body,
      });
      setS(res.settings);
      setNotice({ kind: 'success', text: 'Saved. New visitor messages follow these settings.' });
    } catch (err) {
      setNotice({ kind: 'error', text: errorText(err) });
    } finally {
      setBusy(false);
    }
  }

  async function saveKey(clear: boolean) {
    setBusy(true);
    setKeyNotice(null);
    try {
      const res = await api<{ key: TAiPageData['key'] }>(`/api/app/orgs/${orgId}/ai-key`, {
        method: clear ? 'DELETE' : 'PUT',
        ...(clear ? {} : { body: { apiKey: newKey } }),
      });
      setKey(res.key);
      setNewKey('');
      setKeyNotice({
        kind: 'success',
        text: clear ? 'Key removed.' : 'Key saved (encrypted; it is never shown again).',
      });
    } catch (err) {
      setKeyNotice({ kind: 'error', text: errorText(err) });
    } finally {
      setBusy(false);
    }
  }

  const disabled = !canEdit || busy;
  return (
    <div className="stack">
      {!canEdit ? <div className="alert info">Only owners and admins change these settings.</div> : null}
      {!initial.platformKeyConfigured && !key.isSet ? (
        <div className="alert info" data-testid="ai-no-key">
          No provider key is configured on this server: add your organization’s own OpenAI key below (or set
          OPENAI_API_KEY and OPENAI_BASE_URL for an OpenAI-compatible server) before turning the assistant on.
        </div>
      ) : null}
      <section className="card stack" aria-labelledby="ai-general">
        <h2 id="ai-general">Assistant</h2>
        <label className="row">
          <input
            type="checkbox"
            checked={s.enabled}
            disabled={disabled}
            onChange={(e) => set('enabled', e.target.checked)}
            data-testid="ai-enabled"
          />
          <span>Answer visitors when nobody from the team does</span>
        </label>
        <label className="field">
          <span>Wait for a person (seconds, 0 = answer at once)</span>
          <input
            type="number"
            min={0}
            max={3600}
            value={s.takeoverDelaySeconds}
            disabled={disabled}
            onChange={(e) => set('takeoverDelaySeconds', Number(e.target.value))}
          />
        </label>
        <label className="row">
          <input
            type="checkbox"
            checked={s.answerAtOnceOutsideOfficeHours}
            disabled={disabled}
            onChange={(e) => set('answerAtOnceOutsideOfficeHours', e.target.checked)}
          />
          <span>Answer at once outside office hours (set in the project settings)</span>
        </label>
        <label className="field">
          <span>Name</span>
          <input
            type="text"
            maxLength={60}
            value={s.assistantName}
            disabled={disabled}
            onChange={(e) => set('assistantName', e.target.value)}
          />
        </label>
        <label className="field">
          <span>Avatar URL (https, optional)</span>
          <input
            type="url"
            value={s.avatarUrl ?? ''}
            disabled={disabled}
            placeholder="https://example.com/assistant.png"
            onChange={(e) => set('avatarUrl', e.target.value.trim() || undefined)}
          />
        </label>
        <label className="field">
          <span>Instructions (tone, what never to promise)</span>
          <textarea
            rows={5}
            maxLength={2000}
            value={s.instructions}
            disabled={disabled}
            onChange={(e) => set('instructions', e.target.value)}
          />
        </label>
        <label className="field">
          <span>Model</span>
          <input type="text" value={s.model} disabled={disabled} onChange={(e) => set('model', e.target.value)} />
        </label>
        <div className="row">
          <label className="field">
            <span>Replies per month</span>
            <input
              type="number"
              min={0}
              max={initial.plan.maxReplies}
              value={s.monthlyBudget.maxReplies}
              disabled={disabled}
              onChange={(e) => set('monthlyBudget', { ...s.monthlyBudget, maxReplies: Number(e.target.value) })}
            />
          </label>
          <label className="field">
            <span>Tokens per month</span>
            <input
              type="number"
              min={0}
              max={initial.plan.maxTokens}
              value={s.monthlyBudget.maxTokens}
              disabled={disabled}
              onChange={(e) => set('monthlyBudget', { ...s.monthlyBudget, maxTokens: Number(e.target.value) })}
            />
          </label>
        </div>
        <p className="muted" data-testid="ai-plan-allowance">
          Your {initial.plan.plan} plan allows up to {initial.plan.maxReplies} AI replies and {initial.plan.maxTokens}{' '}
          tokens a month.
        </p>
        {notice ? (
          <div className={`alert ${notice.kind}`} role={notice.kind === 'error' ? 'alert' : 'status'}>
            {notice.text}
          </div>
        ) : null}
        {canEdit ? (
          <div className="savebar">
            <button type="button" className="btn" disabled={busy} onClick={() => void save()} data-testid="ai-save">
              Save
            </button>
          </div>
        ) : null}
      </section>

      <section className="card stack" aria-labelledby="ai-key">
        <h2 id="ai-key">Your own OpenAI key (optional)</h2>
        <p className="muted" style={{ margin: 0 }}>
          Used for every project of this organization instead of the platform’s key. Stored encrypted, never shown
          again.
        </p>
        <p data-testid="ai-key-status">{key.isSet ? `A key ending in …${key.hint ?? ''} is set.` : 'No key set.'}</p>
        {canEdit ? (
          <div className="row">
            <input
              type="password"
              autoComplete="off"
              value={newKey}
              placeholder="sk-…"
              onChange={(e) => setNewKey(e.target.value)}
              aria-label="New API key"
            />
            <button
              type="button"
              className="btn secondary"
              disabled={busy || !newKey}
              onClick={() => void saveKey(false)}
            >
              Save key
            </button>
            {key.isSet ? (
              <button type="button" className="btn-link" disabled={busy} onClick={() => void saveKey(true)}>
                Remove
              </button>
            ) : null}
          </div>
        ) : null}
        {keyNotice ? (
          <div className={`alert ${keyNotice.kind}`} role={keyNotice.kind === 'error' ? 'alert' : 'status'}>
            {keyNotice.text}
          </div>
        ) : null}
      </section>

      <section className="card stack" aria-labelledby="ai-usage">
        <h2 id="ai-usage">Usage this month</h2>
        <table data-testid="ai-usage">
          <thead>
            <tr>
              <th />
              <th>Replies</th>
              <th>Tokens in / out</th>
              <th>Estimated cost</th>
            </tr>
          </thead>
          <tbody>
            {(
              [
                ['This project', usage.project],
                ['Whole organization', usage.organization],
              ] as const
            ).map(([label, u]) => (
              <tr key={label}>
                <td>{label}</td>
                <td>
                  {u.replies}
                  {label === 'This project' ? ` / ${s.monthlyBudget.maxReplies}` : ''}
                </td>
                <td>
                  {u.promptTokens.toLocaleString('en-US')} / {u.completionTokens.toLocaleString('en-US')}
                </td>
                <td>{dollars(u.costMicroUsd)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </div>
  );
}
