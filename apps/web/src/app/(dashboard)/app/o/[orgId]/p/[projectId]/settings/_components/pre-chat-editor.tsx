'use client';

import type { TPreChatConfig, TPreChatField } from '@pocketping/protocol';

const FIELD_TYPES: TPreChatField['type'][] = ['text', 'email', 'tel', 'textarea'];

/** Pre-chat form: off, before the first message, or after it; email/name built in, up to 10 extra fields. */
export function PreChatEditor({
  value,
  onChange,
}: {
  value: TPreChatConfig;
  onChange: (next: TPreChatConfig) => void;
}) {
  const mode = value.enabled ? value.mode : 'off';
  const setField = (i: number, patch: Partial<TPreChatField>) =>
    onChange({ ...value, fields: value.fields.map((f, j) => (j === i ? { ...f, ...patch } : f)) });
  return (
    <div className="stack">
      <div className="radio-row" role="radiogroup" aria-label="Pre-chat form">
        {(
          [
            ['off', 'Off'],
            ['before', 'Before the first message'],
            ['after', 'After the first message'],
          ] as const
        ).map(([m, label]) => (
          <label key={m}>
            <input
              type="radio"
              name="prechat-mode"
              checked={mode === m}
              onChange={() =>
                onChange(m === 'off' ? { ...value, enabled: false } : { ...value, enabled: true, mode: m })
              }
            />
            {label}
          </label>
        ))}
      </div>
      {value.enabled ? (
        <>
          <div className="radio-row">
            <label>
              <input
                type="checkbox"
                checked={value.emailRequired}
                onChange={(e) => onChange({ ...value, emailRequired: e.target.checked })}
              />{' '}
              Email required
            </label>
            <label>
              <input
                type="checkbox"
                checked={value.askName}
                onChange={(e) => onChange({ ...value, askName: e.target.checked })}
              />{' '}
              Ask for the name
            </label>
          </div>
          <div className="list-editor">
            <strong style={{ fontSize: '0.9rem' }}>Extra questions</strong>
            {value.fields.map((f, i) => {
              const badName = !/^[A-Za-z][A-Za-z0-9_]{0,63}$/.test(f.name);
              const dup = value.fields.findIndex((x) => x.name === f.name) !== i;
              return (
                <div key={i} className="item">
                  <input
                    type="text"
                    value={f.label}
                    onChange={(e) => setField(i, { label: e.target.value })}
                    placeholder="Label (shown to visitors)"
                    aria-label="Question label"
                    maxLength={120}
                  />
                  <input
                    type="text"
                    value={f.name}
                    onChange={(e) => setField(i, { name: e.target.value })}
                    placeholder="key"
                    aria-label="Question key"
                    maxLength={64}
                  />
                  <select
                    value={f.type}
                    onChange={(e) => setField(i, { type: e.target.value as TPreChatField['type'] })}
                    aria-label="Question type"
                  >
                    {FIELD_TYPES.map((t) => (
                      <option key={t} value={t}>
                        {t}
                      </option>
                    ))}
                  </select>
                  <label>
                    <input
                      type="checkbox"
                      checked={f.required}
                      onChange={(e) => setField(i, { required: e.target.checked })}
                    />{' '}
                    required
                  </label>
                  <button
                    type="button"
                    className="btn-link"
                    onClick={() => onChange({ ...value, fields: value.fields.filter((_, j) => j !== i) })}
                  >
                    Remove
                  </button>
                  {badName ? (
                    <span className="field-error">key: letters, digits and _, starting with a letter</span>
                  ) : null}
                  {dup ? <span className="field-error">this key is already used</span> : null}
                </div>
              );
            })}
            {value.fields.length < 10 ? (
              <button
                type="button"
                className="btn-link"
                style={{ justifySelf: 'start' }}
                onClick={() =>
                  onChange({
                    ...value,
                    fields: [
                      ...value.fields,
                      { name: `field${value.fields.length + 1}`, label: '', type: 'text', required: false },
                    ],
                  })
                }
              >
                + Add a question
              </button>
            ) : null}
          </div>
        </>
      ) : null}
    </div>
  );
}
