'use client';

import { useEffect, useRef, useState, type FormEvent, type KeyboardEvent, type ReactNode } from 'react';
import { flushSync } from 'react-dom';
import type { TProjectSettings } from '@pocketping/protocol';
import { api, ApiError } from '~/lib/api-client';
import { FieldError, fieldA11y } from '~/components/field-error';
import type { TProjectDto } from '~/server/projects/project-dto';
import { DangerZone } from './danger-zone';
import { IdentitySection } from './identity-section';
import { OfficeHoursEditor, defaultOfficeHours } from './office-hours-editor';
import { OriginsEditor } from './origins-editor';
import { PreChatEditor } from './pre-chat-editor';
import {
  fieldErrorsFromIssues,
  settingsPatch,
  validateSettingsDraft,
  type TFieldErrors,
  type TSettingsDraft,
} from './settings-form';
import { RetentionSection } from './retention-section';
import { WidgetPreview, type TPreviewMode } from './widget-preview';

const LANGUAGES: { value: TProjectSettings['language']; label: string }[] = [
  { value: 'auto', label: 'Visitor’s browser language' },
  { value: 'en', label: 'English' },
  { value: 'fr', label: 'Français' },
  { value: 'de', label: 'Deutsch' },
  { value: 'es', label: 'Español' },
];

type TKey = keyof TProjectSettings;

/**
 * The form's parts, one tab each (the page stays about one screen tall): every field stays in the one form and one
 * Save sends them all; a tab whose fields have an error says so, and saving shows the first of them.
 */
const TABS = [
  { id: 'look', label: 'Site and look', fields: ['name', 'siteUrl', 'color', 'operatorName', 'avatarUrl'] },
  { id: 'access', label: 'Origins and identity', fields: ['origins', 'identity'] },
  { id: 'conversation', label: 'Conversations', fields: ['preChat'] },
  { id: 'availability', label: 'Availability and emails', fields: ['officeHours'] },
  { id: 'data', label: 'Data', fields: ['retentionDays'] },
] as const;
type TTab = (typeof TABS)[number]['id'];
const isTab = (v: string): v is TTab => TABS.some((t) => t.id === v);
const WAIT_NOTIFY_CHOICES = [0, 1, 2, 5, 10, 15, 30, 60, 120];

const draftOf = (p: TProjectDto): TSettingsDraft => ({
  name: p.name,
  siteUrl: p.siteUrl ?? '',
  origins: p.allowedOrigins,
  settings: p.settings,
  retentionDays: p.retentionDays === null ? '' : String(p.retentionDays),
});

/** What the save bar says: never "Saved" and "Unsaved changes" at once (saving again after an edit clears "Saved"). */
type TSaveState = { kind: 'idle' } | { kind: 'saving' } | { kind: 'saved' } | { kind: 'error'; text: string };

/**
 * Project settings (admin): ONE form — site, appearance, origins, conversation, availability and identity mode —
 * with one Save in a bar that stays in view; field errors in words next to each field. The preview follows the
 * draft live. Generating the identity secret and deleting the project are actions of their own, confirmed first.
 */
export function SettingsClient({
  orgId,
  project: initial,
  isOwner,
  testOrigin,
  planRetentionDays,
}: {
  orgId: string;
  project: TProjectDto;
  isOwner: boolean;
  testOrigin: string;
  /** The plan's retention (null = forever): the most the project may keep. */
  planRetentionDays: number | null;
}) {
  const [saved, setSaved] = useState(() => draftOf(initial));
  const [draft, setDraft] = useState(() => draftOf(initial));
  const [secretSet, setSecretSet] = useState(initial.identitySecret.isSet);
  const [state, setState] = useState<TSaveState>({ kind: 'idle' });
  const [serverErrors, setServerErrors] = useState<TFieldErrors>({});
  const [triedToSave, setTriedToSave] = useState(false);
  const [mode, setMode] = useState<TPreviewMode>('online');
  const [browserLanguage, setBrowserLanguage] = useState('en');
  const [tab, setTab] = useState<TTab>('look');
  const formRef = useRef<HTMLFormElement>(null);
  useEffect(() => setBrowserLanguage(navigator.language || 'en'), []);
  // The tab is in the address (#access…): a reload or a shared link opens the same part.
  useEffect(() => {
    const fromHash = window.location.hash.slice(1);
    if (isTab(fromHash)) setTab(fromHash);
  }, []);
  const choose = (next: TTab, focus = false) => {
    flushSync(() => setTab(next));
    window.history.replaceState(null, '', `#${next}`);
    if (focus) document.getElementById(`settings-tab-${next}`)?.focus();
  };
  const onTabKey = (e: KeyboardEvent) => {
    const at = TABS.findIndex((t) => t.id === tab);
    const to =
      e.key === 'ArrowRight'
        ? (at + 1) % TABS.length
        : e.key === 'ArrowLeft'
          ? (at + TABS.length - 1) % TABS.length
          : -1;
    if (to < 0) return;
    e.preventDefault();
    choose(TABS[to]!.id, true);
  };

  const s = draft.settings;
  const patch = settingsPatch(draft, saved);
  const dirty = patch !== null;
  const errors: TFieldErrors = {
    ...validateSettingsDraft(draft, { identitySecretSet: secretSet, planRetentionDays }),
    ...serverErrors,
  };
  const errorCount = Object.keys(errors).length;
  const tabErrors = (id: TTab) =>
    TABS.find((t) => t.id === id)!.fields.filter((f) => (errors as Record<string, string | undefined>)[f]).length;
  /** A tab's panel: always in the form (its fields are saved and checked), shown when chosen. */
  const panel = (id: TTab, children: ReactNode) => (
    <div
      role="tabpanel"
      id={`settings-panel-${id}`}
      aria-labelledby={`settings-tab-${id}`}
      hidden={tab !== id}
      className="stack"
    >
      {children}
    </div>
  );

  const edit = (next: Partial<TSettingsDraft>) => {
    setDraft((d) => ({ ...d, ...next }));
    setServerErrors({});
    if (state.kind !== 'saving') setState({ kind: 'idle' });
  };
  const set = <K extends TKey>(k: K, v: TProjectSettings[K]) => edit({ settings: { ...draft.settings, [k]: v } });

  /** Opens the tab of the first field in error and puts the focus on it. */
  function showFirstInvalid() {
    const invalid = formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]');
    const owner = invalid?.closest<HTMLElement>('[role=tabpanel]')?.id.replace('settings-panel-', '');
    if (owner && isTab(owner) && owner !== tab) choose(owner);
    invalid?.focus();
  }

  async function save(e: FormEvent) {
    e.preventDefault();
    setTriedToSave(true);
    if (!patch) return;
    if (errorCount > 0) {
      showFirstInvalid();
      return;
    }
    setState({ kind: 'saving' });
    try {
      const res = await api<{ project: TProjectDto }>(`/api/app/orgs/${orgId}/projects/${initial.id}`, {
        method: 'PATCH',
        body: patch,
      });
      const next = draftOf(res.project);
      setSaved(next);
      setDraft(next);
      setTriedToSave(false);
      setState({ kind: 'saved' });
    } catch (err) {
      const issues =
        err instanceof ApiError ? (err.details as { issues?: { path: string; message: string }[] })?.issues : undefined;
      if (issues?.length) {
        const placed = fieldErrorsFromIssues(issues, draft, { identitySecretSet: secretSet, planRetentionDays });
        flushSync(() => setServerErrors(placed.fields));
        showFirstInvalid();
        setState({
          kind: 'error',
          text: placed.other.length
            ? `Not saved: ${placed.other.join('; ')}.`
            : 'Not saved: fix the fields marked below.',
        });
      } else {
        setState({
          kind: 'error',
          text:
            err instanceof ApiError ? `Not saved: ${err.message}` : 'Not saved: check your connection and try again.',
        });
      }
    }
  }

  return (
    <div className="settings-layout">
      <div className="stack">
        <div role="tablist" aria-label="Settings" className="settings-tabs" onKeyDown={onTabKey}>
          {TABS.map((t) => {
            const n = tabErrors(t.id);
            return (
              <button
                key={t.id}
                type="button"
                role="tab"
                id={`settings-tab-${t.id}`}
                aria-selected={tab === t.id}
                aria-controls={`settings-panel-${t.id}`}
                tabIndex={tab === t.id ? 0 : -1}
                onClick={() => choose(t.id)}
              >
                {t.label}
                {n > 0 ? (
                  <span className="badge bad" aria-label={`${n} ${n === 1 ? 'error' : 'errors'}`}>
                    {n}
                  </span>
                ) : null}
              </button>
            );
          })}
        </div>
        <form ref={formRef} className="stack" onSubmit={(e) => void save(e)} noValidate aria-label="Project settings">
          {panel(
            'look',
            <>
              <section className="card stack settings-section" id="general" aria-labelledby="general-title">
                <h2 id="general-title">Site</h2>
                <div className="field">
                  <label htmlFor="set-name">Name</label>
                  <input
                    id="set-name"
                    type="text"
                    value={draft.name}
                    onChange={(e) => edit({ name: e.target.value })}
                    maxLength={80}
                    {...fieldA11y(errors, 'name')}
                  />
                  <FieldError errors={errors} name="name" />
                </div>
                <div className="field">
                  <label htmlFor="set-site-url">Site URL</label>
                  <input
                    id="set-site-url"
                    type="url"
                    value={draft.siteUrl}
                    onChange={(e) => edit({ siteUrl: e.target.value })}
                    placeholder="https://example.com"
                    {...fieldA11y(errors, 'siteUrl')}
                  />
                  <FieldError errors={errors} name="siteUrl" />
                </div>
              </section>
              <section className="card stack settings-section" id="appearance" aria-labelledby="appearance-title">
                <h2 id="appearance-title">Appearance</h2>
                <div className="field">
                  <label htmlFor="set-color">Colour (hex)</label>
                  <div className="color-field">
                    <input
                      type="color"
                      value={/^#[0-9a-fA-F]{6}$/.test(s.color) ? s.color : '#2563eb'}
                      onChange={(e) => set('color', e.target.value)}
                      aria-label="Colour picker"
                    />
                    <input
                      id="set-color"
                      type="text"
                      value={s.color}
                      onChange={(e) => set('color', e.target.value.trim())}
                      maxLength={7}
                      style={{ maxWidth: '8rem' }}
                      spellCheck={false}
                      {...fieldA11y(errors, 'color')}
                    />
                  </div>
                  <FieldError errors={errors} name="color" />
                </div>
                <div className="field">
                  <span>Position</span>
                  <div className="radio-row">
                    {(['right', 'left'] as const).map((p) => (
                      <label key={p}>
                        <input
                          type="radio"
                          name="position"
                          checked={s.position === p}
                          onChange={() => set('position', p)}
                        />
                        Bottom {p}
                      </label>
                    ))}
                  </div>
                </div>
                <div className="field">
                  <label htmlFor="set-greeting">Greeting</label>
                  <textarea
                    id="set-greeting"
                    value={s.greeting}
                    onChange={(e) => set('greeting', e.target.value)}
                    maxLength={500}
                    rows={2}
                  />
                </div>
                <div className="field">
                  <label htmlFor="set-operator">Operator name</label>
                  <input
                    id="set-operator"
                    type="text"
                    value={s.operatorName}
                    onChange={(e) => set('operatorName', e.target.value)}
                    maxLength={80}
                    {...fieldA11y(errors, 'operatorName', 'set-operator-hint')}
                  />
                  <small id="set-operator-hint">Shown in the widget’s header.</small>
                  <FieldError errors={errors} name="operatorName" />
                </div>
                <div className="field">
                  <label htmlFor="set-avatar">Avatar URL</label>
                  <input
                    id="set-avatar"
                    type="url"
                    value={s.avatarUrl ?? ''}
                    onChange={(e) => set('avatarUrl', e.target.value.trim() === '' ? null : e.target.value.trim())}
                    placeholder="https://… (empty: the name’s initial)"
                    {...fieldA11y(errors, 'avatarUrl')}
                  />
                  <FieldError errors={errors} name="avatarUrl" />
                </div>
                <div className="field">
                  <label htmlFor="set-language">Language</label>
                  <select
                    id="set-language"
                    value={s.language}
                    onChange={(e) => set('language', e.target.value as TProjectSettings['language'])}
                  >
                    {LANGUAGES.map((l) => (
                      <option key={l.value} value={l.value}>
                        {l.label}
                      </option>
                    ))}
                  </select>
                </div>
              </section>
            </>,
          )}
          {panel(
            'access',
            <>
              <section className="card stack settings-section" id="origins" aria-labelledby="origins-title">
                <h2 id="origins-title">Allowed origins</h2>
                <p className="muted" style={{ margin: 0 }}>
                  The widget connects only from these sites (scheme, host and port; no path). Up to 20.
                </p>
                <OriginsEditor
                  value={draft.origins}
                  onChange={(origins) => edit({ origins })}
                  testOrigin={testOrigin}
                />
                <FieldError errors={errors} name="origins" />
              </section>
              <section className="card stack settings-section" id="identity" aria-labelledby="identity-title">
                <h2 id="identity-title">Identity verification</h2>
                <IdentitySection
                  orgId={orgId}
                  projectId={initial.id}
                  initial={initial.identitySecret}
                  mode={s.identity}
                  onModeChange={(m) => set('identity', m)}
                  onSecretChange={setSecretSet}
                  errors={errors}
                />
              </section>
            </>,
          )}
          {panel(
            'conversation',
            <>
              <section className="card stack settings-section" id="conversation" aria-labelledby="conversation-title">
                <h2 id="conversation-title">Pre-chat form and satisfaction</h2>
                <PreChatEditor value={s.preChat} onChange={(v) => set('preChat', v)} />
                <FieldError errors={errors} name="preChat" />
                <label className="check-row">
                  <input
                    type="checkbox"
                    checked={s.csatEnabled}
                    onChange={(e) => set('csatEnabled', e.target.checked)}
                  />
                  <span>Ask visitors to rate the conversation (1–5) when it is closed</span>
                </label>
              </section>
            </>,
          )}
          {panel(
            'availability',
            <>
              <section className="card stack settings-section" id="availability" aria-labelledby="availability-title">
                <h2 id="availability-title">Office hours and away message</h2>
                <label className="check-row">
                  <input
                    type="checkbox"
                    checked={s.officeHours !== null}
                    onChange={(e) => set('officeHours', e.target.checked ? defaultOfficeHours() : null)}
                  />
                  <span>Set office hours (otherwise you count as open all the time)</span>
                </label>
                {s.officeHours ? (
                  <OfficeHoursEditor value={s.officeHours} onChange={(v) => set('officeHours', v)} />
                ) : null}
                <FieldError errors={errors} name="officeHours" />
                <div className="field">
                  <label htmlFor="set-reply-time">Usual reply time (minutes)</label>
                  <input
                    id="set-reply-time"
                    type="text"
                    inputMode="numeric"
                    value={s.replyTimeMinutes ?? ''}
                    onChange={(e) => {
                      const n = Number.parseInt(e.target.value, 10);
                      set(
                        'replyTimeMinutes',
                        e.target.value.trim() === '' || !Number.isFinite(n) ? null : Math.min(Math.max(n, 1), 10_080),
                      );
                    }}
                    placeholder="e.g. 15"
                    style={{ maxWidth: '8rem' }}
                    aria-describedby="set-reply-time-hint"
                  />
                  <small id="set-reply-time-hint">Shown while nobody is online, during office hours.</small>
                </div>
                <div className="field">
                  <label htmlFor="set-away">Away message</label>
                  <textarea
                    id="set-away"
                    value={s.awayMessage ?? ''}
                    onChange={(e) => set('awayMessage', e.target.value === '' ? null : e.target.value)}
                    maxLength={500}
                    rows={2}
                    placeholder="We’re away right now — leave a message and we’ll get back to you by email."
                  />
                </div>
              </section>
              <section className="card stack settings-section" id="notifications" aria-labelledby="notifications-title">
                <h2 id="notifications-title">Emails</h2>
                <div className="field">
                  <label htmlFor="set-wait-notify">Email the team when a visitor waits unanswered for</label>
                  <select
                    id="set-wait-notify"
                    value={s.waitNotifyMinutes}
                    onChange={(e) => set('waitNotifyMinutes', Number(e.target.value))}
                    style={{ maxWidth: '12rem' }}
                    aria-describedby="set-wait-notify-hint"
                  >
                    {[...new Set([...WAIT_NOTIFY_CHOICES, s.waitNotifyMinutes])]
                      .sort((x, y) => x - y)
                      .map((m) => (
                        <option key={m} value={m}>
                          {m === 0 ? 'Never' : `${m} minute${m === 1 ? '' : 's'}`}
                        </option>
                      ))}
                  </select>
                  <small id="set-wait-notify-hint">
                    One email per wait to each teammate (each chooses immediate, digest or off in their notification
                    settings). Without a working chat app the email goes at once.
                  </small>
                </div>
                <label className="check-row">
                  <input
                    type="checkbox"
                    checked={s.emailVisitorReplies}
                    onChange={(e) => set('emailVisitorReplies', e.target.checked)}
                  />
                  <span>
                    Email your replies to visitors who left their email and closed the page (with a link to read and
                    answer)
                  </span>
                </label>
                <label className="check-row">
                  <input
                    type="checkbox"
                    checked={s.emailTranscriptOnClose}
                    onChange={(e) => set('emailTranscriptOnClose', e.target.checked)}
                  />
                  <span>Email the visitor a transcript when a conversation is closed (when their email is known)</span>
                </label>
              </section>
            </>,
          )}
          {panel(
            'data',
            <>
              <section className="card stack settings-section" id="retention" aria-labelledby="retention-title">
                <h2 id="retention-title">Data retention</h2>
                <RetentionSection
                  value={draft.retentionDays}
                  planDays={planRetentionDays}
                  errors={errors}
                  onChange={(v) => edit({ retentionDays: v })}
                />
              </section>
            </>,
          )}

          <div className="savebar sticky" data-testid="savebar" data-state={dirty ? 'dirty' : state.kind}>
            <button type="submit" className="btn" disabled={!dirty || state.kind === 'saving'}>
              {state.kind === 'saving' ? 'Saving…' : 'Save changes'}
            </button>
            {dirty ? (
              <button
                type="button"
                className="btn secondary"
                disabled={state.kind === 'saving'}
                onClick={() => {
                  setDraft(saved);
                  setServerErrors({});
                  setTriedToSave(false);
                  setState({ kind: 'idle' });
                }}
              >
                Discard
              </button>
            ) : null}
            <span role="status" className={state.kind === 'error' ? 'field-error' : 'muted'}>
              {state.kind === 'error'
                ? state.text
                : state.kind === 'saving'
                  ? 'Saving…'
                  : dirty && triedToSave && errorCount > 0
                    ? `Not saved: fix the ${errorCount === 1 ? 'field' : `${errorCount} fields`} marked above.`
                    : dirty
                      ? 'Unsaved changes (the preview shows them)'
                      : state.kind === 'saved'
                        ? 'Saved. Widgets pick it up on their next connection.'
                        : 'All changes saved.'}
            </span>
          </div>
        </form>

        {isOwner && tab === 'data' ? (
          <section className="card stack settings-section danger" id="delete" aria-labelledby="delete-title">
            <h2 id="delete-title">Delete project</h2>
            <DangerZone orgId={orgId} projectId={initial.id} projectName={saved.name} />
          </section>
        ) : null}
      </div>

      <aside className="settings-preview stack" aria-label="Live preview">
        <div className="row" style={{ justifyContent: 'space-between' }}>
          <strong>Preview</strong>
          <select
            value={mode}
            onChange={(e) => setMode(e.target.value as TPreviewMode)}
            aria-label="Preview state"
            style={{ width: 'auto' }}
          >
            <option value="online">Online</option>
            <option value="away">Away</option>
            <option value="prechat">Pre-chat form</option>
          </select>
        </div>
        <WidgetPreview settings={s} mode={mode} browserLanguage={browserLanguage} />
        <a className="muted" href={`/app/o/${orgId}/p/${initial.id}/install/try`} target="_blank" rel="noreferrer">
          See the real widget (saved settings) ↗
        </a>
      </aside>
    </div>
  );
}
