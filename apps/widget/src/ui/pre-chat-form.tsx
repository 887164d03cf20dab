import { useState } from 'preact/hooks';
import type { TPreChatConfig } from '@pocketping/protocol';
import type { TPreChatAnswers } from '../app/form-types.js';
import type { TFormState } from '../app/form-types.js';
import { isEmail } from '../shared/is-email.js';
import type { TFormStrings } from './i18n.js';

interface TPreChatFormProps {
  config: TPreChatConfig;
  /** 'before': gates the first message (replaces the composer); 'after': a card in the conversation. */
  mode: 'before' | 'after';
  state: TFormState;
  t: TFormStrings;
  onSubmit: (answers: TPreChatAnswers) => void;
  onSkip?: () => void;
}

/** The project's extra questions, as they came from the server: those the server would refuse are dropped. */
export function cleanFields(raw: readonly unknown[]): TPreChatConfig['fields'] {
  const out: TPreChatConfig['fields'] = [];
  for (const f of raw.slice(0, 10) as Partial<Record<string, unknown>>[]) {
    if (
      typeof f !== 'object' ||
      !f ||
      typeof f.name !== 'string' ||
      !/^[A-Za-z]\w{0,63}$/.test(f.name) ||
      typeof f.label !== 'string'
    )
      continue;
    const type = f.type === 'email' || f.type === 'tel' || f.type === 'textarea' ? f.type : 'text';
    out.push({ name: f.name, label: f.label.slice(0, 120), type, required: f.required === true });
  }
  return out;
}

/** The pre-chat form: email (and name, and the project's extra questions), checked here and again by the server. */
export function PreChatForm({ config, mode, state, t, onSubmit, onSkip }: TPreChatFormProps) {
  const [values, setValues] = useState<Record<string, string>>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const value = (name: string) => (values[name] ?? '').trim();
  const extra = cleanFields(config.fields);
  const fields = [
    { name: 'email', label: t.email, type: 'email', required: config.emailRequired },
    ...(config.askName ? [{ name: 'name', label: t.name, type: 'text', required: false }] : []),
    ...extra.map((f) => ({ ...f, name: `f_${f.name}` })),
  ];

  const submit = (e: Event) => {
    e.preventDefault();
    const next: Record<string, string> = {};
    for (const f of fields) {
      const v = value(f.name);
      if (!v && f.required) next[f.name] = t.required;
      else if (v && f.type === 'email' && !isEmail(v)) next[f.name] = t.invalidEmail;
    }
    setErrors(next);
    if (Object.keys(next).length) return;
    const answers: Record<string, string> = {};
    for (const f of extra) if (value(`f_${f.name}`)) answers[f.name] = value(`f_${f.name}`).slice(0, 1000);
    onSubmit({ email: value('email'), name: value('name'), fields: answers });
  };

  return (
    <form class="pp-card" data-pp="prechat" data-mode={mode} onSubmit={submit} noValidate>
      <p>{mode === 'before' ? t.preChatTitle : t.preChatAfter}</p>
      {fields.map(({ name, label, type, required }) => {
        const error = errors[name];
        const props = {
          name,
          required,
          maxLength: 1000,
          'aria-invalid': error ? true : undefined,
          value: values[name] ?? '',
          onInput: (e: Event) => setValues((v) => ({ ...v, [name]: (e.currentTarget as HTMLInputElement).value })),
        };
        return (
          <label key={name}>
            {required ? label : `${label} ${t.optional}`}
            {type === 'textarea' ? (
              <textarea rows={2} {...props} />
            ) : (
              <input type={type} autoComplete={name === 'email' || name === 'name' ? name : undefined} {...props} />
            )}
            {error && (
              <span class="pp-err" role="alert">
                {error}
              </span>
            )}
          </label>
        );
      })}
      {state.error && (
        <div class="pp-err" role="alert">
          {state.error}
        </div>
      )}
      <div class="pp-row">
        {onSkip && (
          <button type="button" class="pp-link" onClick={onSkip}>
            {t.skip}
          </button>
        )}
        <button type="submit" class="pp-button" data-pp="prechat-submit" disabled={state.status === 'sending'}>
          {mode === 'before' ? t.start : t.save}
        </button>
      </div>
    </form>
  );
}
