'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { api } from '~/lib/api-client';
import { FieldError, fieldA11y } from '~/components/field-error';

/** Who owns the conversation: a member of the organization or nobody (the same as `/assign` from a chat app). */
export function AssigneePicker({
  orgId,
  projectId,
  conversationId,
  assigneeId,
  members,
  currentUserId,
}: {
  orgId: string;
  projectId: string;
  conversationId: string;
  assigneeId: string | null;
  members: { id: string; label: string }[];
  currentUserId: string;
}) {
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<Partial<Record<string, string>>>({});
  async function assign(next: string | null) {
    setBusy(true);
    setErrors({});
    try {
      await api(`/api/app/orgs/${orgId}/projects/${projectId}/conversations/${conversationId}/assignee`, {
        body: { assigneeId: next },
      });
      router.refresh();
    } catch (err) {
      setErrors({ assignee: err instanceof Error ? err.message : 'Failed' });
    } finally {
      setBusy(false);
    }
  }
  // A removed member still shown as the assignee until the page reloads: keep the option so the select is honest.
  const options =
    assigneeId && !members.some((m) => m.id === assigneeId)
      ? [...members, { id: assigneeId, label: 'A former member' }]
      : members;
  return (
    <div className="field assignee-picker">
      <label htmlFor="assignee">Assigned to</label>
      <div className="row">
        <select
          id="assignee"
          value={assigneeId ?? ''}
          disabled={busy}
          onChange={(e) => void assign(e.target.value || null)}
          data-testid="assignee-select"
          {...fieldA11y(errors, 'assignee')}
        >
          <option value="">Nobody</option>
          {options.map((m) => (
            <option key={m.id} value={m.id}>
              {m.id === currentUserId ? `${m.label} (you)` : m.label}
            </option>
          ))}
        </select>
        {assigneeId !== currentUserId ? (
          <button type="button" className="btn secondary" disabled={busy} onClick={() => void assign(currentUserId)}>
            Assign to me
          </button>
        ) : null}
      </div>
      <FieldError errors={errors} name="assignee" />
    </div>
  );
}
