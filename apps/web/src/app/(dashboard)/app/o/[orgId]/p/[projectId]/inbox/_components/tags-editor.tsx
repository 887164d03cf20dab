'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { MAX_TAGS_PER_CONVERSATION, TAG_MAX_LENGTH, normalizeTag } from '@pocketping/protocol';
import { api } from '~/lib/api-client';
import { FieldError, fieldA11y } from '~/components/field-error';

/** The conversation's tags: removable chips and a field suggesting the project's tags (like `/tag`, `/untag`). */
export function TagsEditor({
  orgId,
  projectId,
  conversationId,
  tags,
  suggestions,
}: {
  orgId: string;
  projectId: string;
  conversationId: string;
  tags: string[];
  suggestions: string[];
}) {
  const router = useRouter();
  const [draft, setDraft] = useState('');
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<Partial<Record<string, string>>>({});
  async function change(body: { add?: string[]; remove?: string[] }) {
    setBusy(true);
    setErrors({});
    try {
      await api(`/api/app/orgs/${orgId}/projects/${projectId}/conversations/${conversationId}/tags`, { body });
      setDraft('');
      router.refresh();
    } catch (err) {
      setErrors({ tag: err instanceof Error ? err.message : 'Failed' });
    } finally {
      setBusy(false);
    }
  }
  function add() {
    // Said here at once; the server checks the same rules (normalizeTag) and answers in the same words.
    if (normalizeTag(draft) === null) {
      setErrors({ tag: `A tag is 1 to ${TAG_MAX_LENGTH} characters.` });
      return;
    }
    void change({ add: [draft] });
  }
  const full = tags.length >= MAX_TAGS_PER_CONVERSATION;
  return (
    <div className="field tags-editor">
      <label htmlFor="tag-input">Tags</label>
      {tags.length > 0 ? (
        <ul className="tag-list" data-testid="conversation-tags">
          {tags.map((t) => (
            <li key={t} className="tag">
              {t}
              <button
                type="button"
                className="tag-remove"
                aria-label={`Remove tag ${t}`}
                disabled={busy}
                onClick={() => void change({ remove: [t] })}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      <form
        className="row"
        onSubmit={(e) => {
          e.preventDefault();
          add();
        }}
      >
        <input
          id="tag-input"
          type="text"
          list="tag-suggestions"
          value={draft}
          maxLength={TAG_MAX_LENGTH + 8}
          placeholder={full ? `At most ${MAX_TAGS_PER_CONVERSATION} tags` : 'Add a tag'}
          disabled={busy || full}
          onChange={(e) => setDraft(e.target.value)}
          data-testid="tag-input"
          {...fieldA11y(errors, 'tag')}
        />
        <datalist id="tag-suggestions">
          {suggestions
            .filter((s) => !tags.includes(s))
            .map((s) => (
              <option key={s} value={s} />
            ))}
        </datalist>
        <button type="submit" className="btn secondary" disabled={busy || full || draft.trim() === ''}>
          Add
        </button>
      </form>
      <FieldError errors={errors} name="tag" />
    </div>
  );
}
