'use client';

import { useEffect, useState } from 'react';
import type { TProjectSettings } from '@pocketping/protocol';
import type { TProjectDto } from '~/server/projects/project-dto';
import { normalizeOrigin } from '~/server/projects/origins';
import { DangerZone } from './danger-zone';
import { IdentitySection } from './identity-section';
import { OfficeHoursEditor, defaultOfficeHours } from './office-hours-editor';
import { OriginsEditor } from './origins-editor';
import { PreChatEditor } from './pre-chat-editor';
import { RetentionSection } from './retention-section';
import { Notice, useProjectPatch } from './use-save';
import { WidgetPreview, type TPreviewMode } from './widget-preview';

const LANGUAGES: { value: TProjectSettings['language']; label: string }[] = [
  { value: 'auto', label: 'Visitor’s browser language' },
  { value: 'en', label: 'English' },
  { value: 'fr', label: 'Français' },
  { value: 'de', label: 'Deutsch' },
  { value: 'es', label: 'Español' },
];

type TKey = keyof TProjectSettings;
const APPEARANCE: TKey[] = ['color', 'position', 'greeting', 'operatorName', 'avatarUrl', 'language'];
const CONVERSATION: TKey[] = ['preChat', 'csatEnabled'];
const AVAILABILITY: TKey[] = ['officeHours', 'replyTimeMinutes', 'awayMessage'];

const pick = (s: TProjectSettings, keys: TKey[]) => Object.fromEntries(keys.map((k) => [k, s[k]]));
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Project settings (admin): every section saves through the PATCH route; the preview follows the draft live. */
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
  const [saved, setSaved] = useState(initial);
  const [s, setS] = useState<TProjectSettings>(initial.settings);
  const [name, setName] = useState(initial.name);
  const [siteUrl, setSiteUrl] = useState(initial.siteUrl ?? '');
  const [origins, setOrigins] = useState(initial.allowedOrigins);
  const [mode, setMode] = useState<TPreviewMode>('online');
  const [browserLanguage, setBrowserLanguage] = useState('en');
  useEffect(() => setBrowserLanguage(navigator.language || 'en'), []);

  const { busy, notices, save } = useProjectPatch(orgId, initial.id, (p) => setSaved(p));
  const set = <K extends TKey>(k: K, v: TProjectSettings[K]) => setS((prev) => ({ ...prev, [k]: v }));
  const dirty = (keys: TKey[]) => !same(pick(s, keys), pick(saved.settings, keys));
  const originsInvalid = origins.length === 0 || origins.some((o) => !normalizeOrigin(o).ok);

  return (
    <div className="settings-layout">
      <div className="stack">
        <section className="card stack settings-section" id="general">
          <h2>Site</h2>
          <label className="field">
            <span>Name</span>
            <input type="text" value={name} onChange={(e) => setName(e.target.value)} maxLength={80} />
          </label>
          <label className="field">
            <span>Site URL</span>
            <input
              type="url"
              value={siteUrl}
              onChange={(e) => setSiteUrl(e.target.value)}
              placeholder="https://example.com"
            />
          </label>
          <Notice notice={notices.general ?? null} />
          <div className="savebar">
            <button
              type="button"
              className="btn"
              disabled={
                busy !== null || name.trim() === '' || (name === saved.name && siteUrl === (saved.siteUrl ?? ''))
              }
              onClick={() => void save('general', { name, siteUrl: siteUrl.trim() === '' ? null : siteUrl.trim() })}
            >
              Save
            </button>
          </div>
        </section>

        <section className="card stack settings-section" id="appearance">
          <h2>Appearance</h2>
          <div className="field">
            <span>Colour</span>
            <div className="color-field">
              <input
                type="color"
                value={/^#[0-9a-fA-F]{6}$/.test(s.color) ? s.color : '#2563eb'}
                onChange={(e) => set('color', e.target.value)}
                aria-label="Colour picker"
              />
              <input
                type="text"
                value={s.color}
                onChange={(e) => set('color', e.target.value)}
                maxLength={7}
                aria-label="Colour (hex)"
                style={{ maxWidth: '8rem' }}
              />
            </div>
          </div>
          <div className="field">
            <span>Position</span>
            <div className="radio-row">
              {(['right', 'left'] as const).map((p) => (
                <label key={p}>
                  <input type="radio" name="position" checked={s.position === p} onChange={() => set('position', p)} />
                  Bottom {p}
                </label>
              ))}
            </div>
          </div>
          <label className="field">
            <span>Greeting</span>
            <textarea value={s.greeting} onChange={(e) => set('greeting', e.target.value)} maxLength={500} rows={2} />
          </label>
          <label className="field">
            <span>Operator name</span>
            <input
              type="text"
              value={s.operatorName}
              onChange={(e) => set('operatorName', e.target.value)}
              maxLength={80}
            />
            <small>Shown in the widget’s header.</small>
          </label>
          <label className="field">
            <span>Avatar URL</span>
            <input
              type="url"
              value={s.avatarUrl ?? ''}
              onChange={(e) => set('avatarUrl', e.target.value.trim() === '' ? null : e.target.value.trim())}
              placeholder="https://… (empty: the name’s initial)"
            />
          </label>
          <label className="field">
            <span>Language</span>
            <select
              value={s.language}
              onChange={(e) => set('language', e.target.value as TProjectSettings['language'])}
            >
              {LANGUAGES.map((l) => (
                <option key={l.value} value={l.value}>
                  {l.label}
                </option>
              ))}
            </select>
          </label>
          <Notice notice={notices.appearance ?? null} />
          <div className="savebar">
            <button
              type="button"
              className="btn"
              disabled={busy !== null || !dirty(APPEARANCE)}
              onClick={() => void save('appearance', { settings: pick(s, APPEARANCE) })}
            >
              Save appearance
            </button>
            {dirty(APPEARANCE) ? <span className="muted">Unsaved changes (the preview shows them)</span> : null}
          </div>
        </section>

        <section className="card stack settings-section" id="origins">
          <h2>Allowed origins</h2>
          <p className="muted" style={{ margin: 0 }}>
            The widget connects only from these sites (scheme, host and port; no path). Up to 20.
          </p>
          <OriginsEditor value={origins} onChange={setOrigins} testOrigin={testOrigin} />
          <Notice notice={notices.origins ?? null} />
          <div className="savebar">
            <button
              type="button"
              className="btn"
              disabled={busy !== null || originsInvalid || same(origins, saved.allowedOrigins)}
              onClick={() => void save('origins', { allowedOrigins: origins })}
            >
              Save origins
            </button>
          </div>
        </section>

        <section className="card stack settings-section" id="conversation">
          <h2>Pre-chat form and satisfaction</h2>
          <PreChatEditor value={s.preChat} onChange={(v) => set('preChat', v)} />
          <label className="check-row">
            <input type="checkbox" checked={s.csatEnabled} onChange={(e) => set('csatEnabled', e.target.checked)} />
            <span>Ask visitors to rate the conversation (1–5) when it is closed</span>
          </label>
          <Notice notice={notices.conversation ?? null} />
          <div className="savebar">
            <button
              type="button"
              className="btn"
              disabled={busy !== null || !dirty(CONVERSATION)}
              onClick={() => void save('conversation', { settings: pick(s, CONVERSATION) })}
            >
              Save
            </button>
          </div>
        </section>

        <section className="card stack settings-section" id="availability">
          <h2>Office hours and away message</h2>
          <label className="check-row">
            <input
              type="checkbox"
              checked={s.officeHours !== null}
              onChange={(e) => set('officeHours', e.target.checked ? defaultOfficeHours() : null)}
            />
            <span>Set office hours (otherwise you count as open all the time)</span>
          </label>
          {s.officeHours ? <OfficeHoursEditor value={s.officeHours} onChange={(v) => set('officeHours', v)} /> : null}
          <label className="field">
            <span>Usual reply time (minutes)</span>
            <input
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
            />
            <small>Shown while nobody is online, during office hours.</small>
          </label>
          <label className="field">
            <span>Away message</span>
            <textarea
              value={s.awayMessage ?? ''}
              onChange={(e) => set('awayMessage', e.target.value === '' ? null : e.target.value)}
              maxLength={500}
              rows={2}
              placeholder="We’re away right now — leave a message and we’ll get back to you by email."
            />
          </label>
          <Notice notice={notices.availability ?? null} />
          <div className="savebar">
            <button
              type="button"
              className="btn"
              disabled={busy !== null || !dirty(AVAILABILITY)}
              onClick={() => void save('availability', { settings: pick(s, AVAILABILITY) })}
            >
              Save
            </button>
          </div>
        </section>

        <section className="card stack settings-section" id="identity">
          <h2>Identity verification</h2>
          <IdentitySection
            orgId={orgId}
            projectId={initial.id}
            initial={initial.identitySecret}
            mode={s.identity}
            savedMode={saved.settings.identity}
            onModeChange={(m) => set('identity', m)}
            onSaveMode={() => void save('identity', { settings: { identity: s.identity } })}
            busy={busy !== null}
          />
          <Notice notice={notices.identity ?? null} />
        </section>

        <section className="card stack settings-section" id="retention">
          <h2>Data retention</h2>
          <RetentionSection
            saved={saved.retentionDays}
            planDays={planRetentionDays}
            busy={busy !== null}
            onSave={(days) => void save('retention', { retentionDays: days })}
          />
          <Notice notice={notices.retention ?? null} />
        </section>

        {isOwner ? (
          <section className="card stack settings-section danger" id="delete">
            <h2>Delete project</h2>
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
