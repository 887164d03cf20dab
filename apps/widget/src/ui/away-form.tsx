import { useState } from 'preact/hooks';
import type { TFormState } from '../app/widget-state.js';
import { isEmail } from '../shared/is-email.js';
import type { TFormStrings } from './i18n.js';

/** Nobody is online: offer to continue by email (stored through `prechat`). */
export function AwayForm({ state, t, onSubmit }: { state: TFormState; t: TFormStrings; onSubmit: (email: string) => void }) {
  const [email, setEmail] = useState('');
  const [error, setError] = useState<string | null>(null);
  if (state.status === 'done') {
    return (
      <div class="pp-card" data-pp="away" data-state="done" role="status">
        {t.emailSaved}
      </div>
    );
  }
  const shown = error ?? state.error;
  return (
    <form
      class="pp-card"
      data-pp="away"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        const ok = isEmail(email.trim());
        setError(ok ? null : t.invalidEmail);
        if (ok) onSubmit(email.trim());
      }}
    >
      <label>
        {t.awayTitle}
        <input type="email" autoComplete="email" maxLength={320} value={email} aria-invalid={shown ? true : undefined} onInput={(e) => setEmail(e.currentTarget.value)} />
      </label>
      {shown && (
        <div class="pp-err" role="alert">
          {shown}
        </div>
      )}
      <div class="pp-row">
        <button type="submit" class="pp-button" disabled={state.status === 'sending'}>
          {t.save}
        </button>
      </div>
    </form>
  );
}
