import { useState } from 'preact/hooks';
import type { TFormState } from '../app/form-types.js';
import type { TFormStrings } from './i18n.js';

/** The conversation was closed: a 1–5 rating (a radio group: arrow keys work natively) and an optional comment. */
export function CsatPrompt({
  state,
  t,
  onSubmit,
}: {
  state: TFormState;
  t: TFormStrings;
  onSubmit: (score: number, comment: string) => void;
}) {
  const [score, setScore] = useState(0);
  const [comment, setComment] = useState('');
  if (state.status === 'done') {
    return (
      <div class="pp-card" data-pp="csat" data-state="done" role="status">
        {t.csatThanks}
      </div>
    );
  }
  return (
    <form
      class="pp-card"
      data-pp="csat"
      onSubmit={(e) => {
        e.preventDefault();
        if (score) onSubmit(score, comment);
      }}
    >
      <fieldset class="pp-stars">
        <legend>{t.csatTitle}</legend>
        {[1, 2, 3, 4, 5].map((n) => (
          <label key={n} class={n <= score ? 'pp-on' : undefined} data-pp={`csat-${n}`}>
            <input
              type="radio"
              name="pp-csat"
              value={n}
              checked={score === n}
              onChange={() => setScore(n)}
              aria-label={t.csatScore(n)}
            />
            <span aria-hidden="true">★</span>
          </label>
        ))}
      </fieldset>
      {score > 0 && (
        <textarea
          data-pp="csat-comment"
          rows={2}
          maxLength={2000}
          aria-label={t.csatComment}
          placeholder={t.csatComment}
          value={comment}
          onInput={(e) => setComment(e.currentTarget.value)}
        />
      )}
      {state.error && (
        <div class="pp-err" role="alert">
          {state.error}
        </div>
      )}
      <div class="pp-row">
        <button type="submit" class="pp-button" data-pp="csat-submit" disabled={!score || state.status === 'sending'}>
          {t.save}
        </button>
      </div>
    </form>
  );
}
