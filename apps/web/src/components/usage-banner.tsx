import type { Role } from '@pocketping/db';

/** The org-wide banner: past due, fallen back to Free, or a monthly limit reached — with the way out. */
export function UsageBanner({
  orgId,
  role,
  banner,
}: {
  orgId: string;
  role: Role;
  banner: { kind: 'warn' | 'over'; text: string } | null;
}) {
  if (!banner) return null;
  return (
    <div className={banner.kind === 'over' ? 'alert error' : 'alert info'} role="status" data-testid="usage-banner">
      <span>{banner.text}</span> <a href={`/app/o/${orgId}/usage`}>See usage</a>
      {role === 'owner' ? (
        <>
          {' · '}
          <a className="btn" href={`/app/o/${orgId}/billing`} data-testid="upgrade">
            Upgrade
          </a>
        </>
      ) : (
        <span className="muted"> · Ask an owner to upgrade.</span>
      )}
    </div>
  );
}
