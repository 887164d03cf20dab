/** The forms' email field (away form, transcript): one label around one input, marked invalid with its error. */
export function EmailField({
  label,
  value,
  isInvalid,
  onInput,
}: {
  label: string;
  value: string;
  isInvalid: boolean;
  onInput: (value: string) => void;
}) {
  return (
    <label>
      {label}
      <input
        type="email"
        autoComplete="email"
        maxLength={320}
        value={value}
        aria-invalid={isInvalid ? true : undefined}
        onInput={(e) => onInput(e.currentTarget.value)}
      />
    </label>
  );
}
