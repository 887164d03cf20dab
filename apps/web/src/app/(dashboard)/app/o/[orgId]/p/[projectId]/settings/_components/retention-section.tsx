'use client';

import { FieldError, fieldA11y } from '~/components/field-error';
import type { TFieldErrors } from './settings-form';

/**
 * How long the project's conversations are kept (messages, files, chat-app mappings), a field of the settings form:
 * the worker's privacy pass deletes older ones. Empty = the plan's figure; more than the plan's is refused.
 */
export function RetentionSection({
  value,
  planDays,
  errors,
  onChange,
}: {
  value: string;
  planDays: number | null;
  errors: TFieldErrors;
  onChange(value: string): void;
}) {
  return (
    <>
      <p className="muted" id="retention-hint" style={{ margin: 0 }}>
        Conversations whose last message is older than this are deleted with their files and chat-app mappings.{' '}
        {planDays === null
          ? 'Your plan keeps them forever unless you set a limit.'
          : `Your plan keeps them ${planDays} days at most.`}
      </p>
      <div className="field">
        <label htmlFor="set-retention">Keep conversations for (days)</label>
        <input
          id="set-retention"
          type="text"
          inputMode="numeric"
          value={value}
          placeholder={planDays === null ? 'forever' : `${planDays} (the plan’s)`}
          onChange={(e) => onChange(e.target.value)}
          data-testid="retention-days"
          style={{ maxWidth: '10rem' }}
          {...fieldA11y(errors, 'retentionDays', 'retention-hint')}
        />
        <FieldError errors={errors} name="retentionDays" />
      </div>
    </>
  );
}
