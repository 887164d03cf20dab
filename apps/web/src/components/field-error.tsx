/**
 * The error of one form field, in words, right under it. The field takes `fieldA11y(errors, key)`: aria-invalid and
 * aria-describedby pointing here, so a screen reader reads the error with the field.
 */
export function FieldError({ errors, name }: { errors: Partial<Record<string, string>>; name: string }) {
  const message = errors[name];
  if (!message) return null;
  return (
    <span id={`${name}-error`} className="field-error" data-field-error={name}>
      {message}
    </span>
  );
}

export function fieldA11y(
  errors: Partial<Record<string, string>>,
  name: string,
  hintId?: string,
): { 'aria-invalid'?: true; 'aria-describedby'?: string } {
  const invalid = Boolean(errors[name]);
  const describedBy = [invalid ? `${name}-error` : null, hintId ?? null].filter(Boolean).join(' ');
  return {
    ...(invalid ? { 'aria-invalid': true as const } : {}),
    ...(describedBy ? { 'aria-describedby': describedBy } : {}),
  };
}
