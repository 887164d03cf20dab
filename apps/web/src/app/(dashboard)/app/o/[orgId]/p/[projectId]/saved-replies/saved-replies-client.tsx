'use client';

import { useState, type FormEvent } from 'react';
import { useRouter } from 'next/navigation';
import { LIMITS, SAVED_REPLY_TITLE_MAX, type TSavedReply } from '@pocketping/protocol';
import { api, ApiError } from '~/lib/api-client';
import { FieldError, fieldA11y } from '~/components/field-error';
import { useConfirm } from '~/components/confirm-dialog';
import { RichText } from '../inbox/_components/rich-text';

type TErrors = Partial<Record<'title' | 'shortcut' | 'body', string>>;
type TDraft = { title: string; shortcut: string; body: string };

const EMPTY: TDraft = { title: '', shortcut: '', body: '' };

/** The server's field errors (zod issues, or the shortcut already taken) next to their fields. */
function fieldErrors(err: unknown): TErrors | null {
  if (!(err instanceof ApiError)) return null;
  const issues = (err.details as { issues?: { path: string; message: string }[] } | undefined)?.issues;
  if (!issues?.length) return null;
  const out: TErrors = {};
  for (const i of issues) {
    const key = i.path.split('.')[0];
    if (key === 'title' || key === 'shortcut' || key === 'body') out[key] ??= i.message;
  }
  return Object.keys(out).length ? out : null;
}

function ReplyForm({
  orgId,
  projectId,
  initial,
  editingId,
  onDone,
}: {
  orgId: string;
  projectId: string;
  initial: TDraft;
  editingId: string | null;
  onDone: () => void;
}) {
  const router = useRouter();
  const [draft, setDraft] = useState<TDraft>(initial);
  const [errors, setErrors] = useState<TErrors>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const set = (k: keyof TDraft, v: string) => setDraft((d) => ({ ...d, [k]: v }));
  const formId = editingId ? `saved-edit-${editingId}` : 'saved-new';
  // Ids unique on the page (a new-reply form and an edit form may be open together).
  const fe: Partial<Record<string, string>> = {
    [`${formId}-title`]: errors.title,
    [`${formId}-shortcut`]: errors.shortcut,
    [`${formId}-body`]: errors.body,
  };

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setErrors({});
    setError(null);
    const base = `/api/app/orgs/${orgId}/projects/${projectId}/saved-replies`;
    try {
      if (editingId) await api(`${base}/${editingId}`, { method: 'PUT', body: draft });
      else await api(base, { body: draft });
      if (!editingId) setDraft(EMPTY);
      router.refresh();
      onDone();
    } catch (err) {
      const fields = fieldErrors(err);
      if (fields) setErrors(fields);
      else setError(err instanceof Error ? err.message : 'Could not save. Try again.');
    } finally {
      setBusy(false);
    }
  }

  return (
    <form
      className="stack"
      onSubmit={(e) => void submit(e)}
      aria-label={editingId ? 'Edit saved reply' : 'New saved reply'}
    >
      <div className="saved-fields">
        <label className="field">
          <span>Title</span>
          <input
            type="text"
            name="title"
            required
            maxLength={SAVED_REPLY_TITLE_MAX}
            value={draft.title}
            onChange={(e) => set('title', e.target.value)}
            {...fieldA11y(fe, `${formId}-title`)}
          />
          <FieldError errors={fe} name={`${formId}-title`} />
        </label>
        <label className="field">
          <span>Shortcut</span>
          <input
            type="text"
            name="shortcut"
            required
            maxLength={32}
            pattern="[a-z0-9\-]{1,32}"
            placeholder="refund"
            autoCapitalize="off"
            spellCheck={false}
            value={draft.shortcut}
            onChange={(e) => set('shortcut', e.target.value.toLowerCase())}
            {...fieldA11y(fe, `${formId}-shortcut`, `${formId}-shortcut-hint`)}
          />
          <small id={`${formId}-shortcut-hint`}>Lowercase letters, digits and dashes, unique in this project.</small>
          <FieldError errors={fe} name={`${formId}-shortcut`} />
        </label>
      </div>
      <label className="field">
        <span>Message</span>
        <textarea
          name="body"
          required
          rows={4}
          value={draft.body}
          onChange={(e) => set('body', e.target.value)}
          {...fieldA11y(fe, `${formId}-body`, `${formId}-body-hint`)}
        />
        <small id={`${formId}-body-hint`}>
          Up to {LIMITS.messageBodyMax.toLocaleString('en-US')} characters; **bold**, _italic_, `code` and links as in
          messages. {draft.body.length > LIMITS.messageBodyMax - 500 ? `${draft.body.length} characters.` : null}
        </small>
        <FieldError errors={fe} name={`${formId}-body`} />
      </label>
      {error ? (
        <p className="alert error" role="alert">
          {error}
        </p>
      ) : null}
      <div className="row">
        <button type="submit" className="btn" disabled={busy}>
          {busy ? 'Saving…' : editingId ? 'Save changes' : 'Add saved reply'}
        </button>
        {editingId ? (
          <button type="button" className="btn secondary" onClick={onDone}>
            Cancel
          </button>
        ) : null}
      </div>
    </form>
  );
}

/** The list with, for admins, the add form and each reply's Edit/Delete (deleting asks first). */
export function SavedRepliesManager({
  orgId,
  projectId,
  replies,
  canEdit,
}: {
  orgId: string;
  projectId: string;
  replies: TSavedReply[];
  canEdit: boolean;
}) {
  const router = useRouter();
  const [editing, setEditing] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [dialog, confirm] = useConfirm();

  async function remove(r: TSavedReply) {
    const ok = await confirm({
      title: `Delete the saved reply “${r.title}”?`,
      body: `/${r.shortcut} will no longer insert it, here or in your chat apps. Messages already sent stay as they are.`,
      confirmLabel: 'Delete saved reply',
      destructive: true,
    });
    if (!ok) return;
    setError(null);
    try {
      await api(`/api/app/orgs/${orgId}/projects/${projectId}/saved-replies/${r.id}`, { method: 'DELETE', body: {} });
      router.refresh();
    } catch (err) {
      setError(err instanceof Error ? err.message : 'Could not delete it.');
    }
  }

  return (
    <div className="stack">
      {canEdit ? (
        <section className="card stack" aria-labelledby="saved-new-title">
          <h2 id="saved-new-title" style={{ marginTop: 0, fontSize: '1.1rem' }}>
            New saved reply
          </h2>
          <ReplyForm orgId={orgId} projectId={projectId} initial={EMPTY} editingId={null} onDone={() => undefined} />
        </section>
      ) : (
        <p className="muted">Only admins and owners can add or change saved replies; you can use them all.</p>
      )}
      {error ? (
        <p className="alert error" role="alert">
          {error}
        </p>
      ) : null}
      {replies.length === 0 ? (
        <p className="muted" data-testid="saved-empty">
          No saved replies yet.
        </p>
      ) : (
        <ul className="saved-list" aria-label="Saved replies">
          {replies.map((r) => (
            <li key={r.id} className="card" data-testid="saved-reply" data-shortcut={r.shortcut}>
              {editing === r.id ? (
                <ReplyForm
                  orgId={orgId}
                  projectId={projectId}
                  initial={{ title: r.title, shortcut: r.shortcut, body: r.body }}
                  editingId={r.id}
                  onDone={() => setEditing(null)}
                />
              ) : (
                <>
                  <div className="saved-head">
                    <strong>{r.title}</strong> <code>/{r.shortcut}</code>
                    {canEdit ? (
                      <span className="row saved-actions">
                        <button type="button" className="btn secondary" onClick={() => setEditing(r.id)}>
                          Edit
                        </button>
                        <button type="button" className="btn danger-outline" onClick={() => void remove(r)}>
                          Delete
                        </button>
                      </span>
                    ) : null}
                  </div>
                  <div className="saved-body">
                    <RichText text={r.body} />
                  </div>
                </>
              )}
            </li>
          ))}
        </ul>
      )}
      {dialog}
    </div>
  );
}
