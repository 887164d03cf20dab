'use client';

import { useState } from 'react';
import { api, ApiError } from '~/lib/api-client';
import type { TProjectDto } from '~/server/projects/project-dto';

export type TNotice = { kind: 'success' | 'error'; text: string } | null;

/** PATCHes part of the project and reports the outcome next to the section that asked. */
export function useProjectPatch(orgId: string, projectId: string, onSaved: (p: TProjectDto) => void) {
  const [busy, setBusy] = useState<string | null>(null);
  const [notices, setNotices] = useState<Record<string, TNotice>>({});
  async function save(section: string, body: Record<string, unknown>) {
    setBusy(section);
    setNotices((n) => ({ ...n, [section]: null }));
    try {
      const res = await api<{ project: TProjectDto }>(`/api/app/orgs/${orgId}/projects/${projectId}`, {
        method: 'PATCH',
        body,
      });
      onSaved(res.project);
      setNotices((n) => ({
        ...n,
        [section]: { kind: 'success', text: 'Saved. Widgets pick it up on their next connection.' },
      }));
    } catch (err) {
      const text =
        err instanceof ApiError
          ? ((err.details as { issues?: { path: string; message: string }[] } | undefined)?.issues
              ?.map((i) => `${i.path}: ${i.message}`)
              .join('; ') ?? err.message)
          : 'Could not save; try again.';
      setNotices((n) => ({ ...n, [section]: { kind: 'error', text } }));
    } finally {
      setBusy(null);
    }
  }
  return { busy, notices, save };
}

export function Notice({ notice }: { notice: TNotice }) {
  if (!notice) return null;
  return (
    <div className={`alert ${notice.kind}`} role={notice.kind === 'error' ? 'alert' : 'status'}>
      {notice.text}
    </div>
  );
}
