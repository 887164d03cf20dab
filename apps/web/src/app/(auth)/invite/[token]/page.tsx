import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { getContext } from '~/server/context';
import { currentUser } from '~/server/page-guard';
import { getInvitationByToken, INVITATION_STATUS_MESSAGES } from '~/server/team/invitations';
import { AcceptInvitation, SwitchAccount } from './invite-client';
import { DateTime } from '~/components/date-time';

export const metadata: Metadata = { title: 'Invitation', referrer: 'no-referrer' };
export const dynamic = 'force-dynamic';

/**
 * /invite/<token> from the invitation mail: who invites you where, then the one thing to do — join (signed in with
 * the invited address), switch account (signed in as someone else), or sign up / log in and come back here.
 */
export default async function InvitePage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const [invitation, user] = await Promise.all([getInvitationByToken(getContext().db, token), currentUser()]);
  const here = `/invite/${encodeURIComponent(token)}`;

  // An unknown, expired or withdrawn link answers 404 (not-found.tsx beside this page says what to do), so a
  // browser, a mail scanner or a monitor sees a dead link for what it is.
  if (!invitation || invitation.status === 'expired' || invitation.status === 'revoked') notFound();

  const inviter = invitation.inviter ? (invitation.inviter.name ?? invitation.inviter.email) : 'A teammate';
  const intro = (
    <p>
      <strong>{inviter}</strong> invited <strong>{invitation.email}</strong> to join{' '}
      <strong>{invitation.organization.name}</strong> on PocketPing as{' '}
      {invitation.role === 'admin' ? 'an admin' : 'an agent'}.
    </p>
  );

  if (invitation.status !== 'valid') {
    const isMember = invitation.status === 'accepted' && user && user.email === invitation.email;
    return (
      <>
        <h1>Invitation used</h1>
        <div className="card stack" role="alert">
          {intro}
          <p className="alert error">{INVITATION_STATUS_MESSAGES[invitation.status]}</p>
          {isMember ? (
            <p>
              <Link className="btn" href={`/app/o/${invitation.organization.id}`}>
                Open {invitation.organization.name}
              </Link>
            </p>
          ) : null}
        </div>
      </>
    );
  }

  const withEmail = `email=${encodeURIComponent(invitation.email)}&next=${encodeURIComponent(here)}`;
  return (
    <>
      <h1>Join {invitation.organization.name}</h1>
      <div className="card stack">
        {intro}
        {!user ? (
          <>
            <p className="muted">
              Create your account with {invitation.email} (or log in if you already have one), and you will come back
              here to join.
            </p>
            <Link className="btn" href={`/signup?${withEmail}`} style={{ justifyContent: 'center' }}>
              Sign up
            </Link>
            <Link className="btn secondary" href={`/login?${withEmail}`} style={{ justifyContent: 'center' }}>
              Log in
            </Link>
          </>
        ) : user.email !== invitation.email ? (
          <>
            <p className="alert info">
              You are signed in as <strong>{user.email}</strong>, but this invitation is for{' '}
              <strong>{invitation.email}</strong>. Log out, then log in or sign up with {invitation.email} to join.
            </p>
            <SwitchAccount loginUrl={`/login?${withEmail}`} />
          </>
        ) : !user.emailVerified ? (
          <p className="alert info">
            Confirm your email address first: open the confirmation link we sent to {user.email}, then come back to this
            page. <Link href="/check-email?reason=unverified">Send it again</Link>
          </p>
        ) : (
          <AcceptInvitation token={token} orgName={invitation.organization.name} />
        )}
        <p className="muted" style={{ fontSize: '0.85rem' }}>
          The invitation is valid until <DateTime value={invitation.expiresAt} />.
        </p>
      </div>
    </>
  );
}
