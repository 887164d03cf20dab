import Link from 'next/link';

/** What /invite/<token> shows (with HTTP 404) for a link that is unknown, expired or withdrawn. */
export default function InvitationNotFound() {
  return (
    <>
      <h1>Invitation not found</h1>
      <div className="card stack" role="alert">
        <p>
          This invitation link is no longer valid: it expired (invitations last 7 days), was withdrawn or replaced by a
          newer one, or the link is incomplete.
        </p>
        <p>Open the latest invitation mail in full, or ask the person who invited you to send a new invitation.</p>
        <p>
          <Link href="/app">Go to PocketPing</Link>
        </p>
      </div>
    </>
  );
}
