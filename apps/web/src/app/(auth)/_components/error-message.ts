import { ApiError } from '../../../lib/api-client';

/** One readable sentence from a failed call: per-field problems when the server listed them, else its message. */
export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) {
    const issues = (err.details as { issues?: { path: string; message: string }[] } | undefined)?.issues;
    if (issues?.length) return issues.map((i) => `${labelOf(i.path)} ${i.message}.`).join(' ');
    return err.message;
  }
  return 'Something went wrong. Check your connection and try again.';
}

function labelOf(path: string): string {
  return (
    ({ email: 'The email', password: 'The password', name: 'The name', token: 'The link' } as Record<string, string>)[
      path
    ] ?? path
  );
}
