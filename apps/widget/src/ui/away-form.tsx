import { useState } from 'preact/hooks';
import type { TFormState } from '../app/form-types.js';
import { isEmail } from '../shared/is-email.js';
import { EmailField } from './email-field.js';
import type { TFormStrings } from './i18n.js';

/**
 * Nobody is online: the project's away message (plain text — rendered as a text node, never as HTML), then the
 * offer to continue by email (stored through `prechat`). Without an away message the built-in text says both.
 */
export function AwayForm({
  state,
  t,
  message,
  onSubmit,
}: {
  state: TFormState;
  t: TFormStrings;
  message?: string | null | undefined;
  onSubmit: (email: string) => void;
}) {
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
      {message && (
        <p class="pp-away" data-pp="away-message">
          {message}
        </p>
      )}
      <EmailField label={message ? t.awayEmail : t.awayTitle} value={email} isInvalid={!!shown} onInput={setEmail} />
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
