import type { Metadata } from 'next';
import Link from 'next/link';
import { redirect } from 'next/navigation';
import { currentUser } from '../../../server/page-guard';
import { MAGIC_LINK_CALLBACK } from '../../../server/auth/magic-link-switch';
import { emailParam, param, type TSearchParams } from '../_components/search-params';

export const metadata: Metadata = { title: 'Switch account?', referrer: 'no-referrer' };
export const dynamic = 'force-dynamic';

/**
 * Reached from a magic link opened in a browser signed in to another account (src/proxy.ts): the link is not used
 * until the person says so. "Stay" keeps the session; "Sign in as …" goes on to the link, marked as confirmed.
 */
export default async function SwitchAccountPage({ searchParams }: { searchParams: TSearchParams }) {
  const sp = await searchParams;
  const token = param(sp, 'token');
  const linkFor = emailParam(sp);
  const query = new URLSearchParams({ token, email: linkFor, callbackUrl: param(sp, 'callbackUrl'), switch: '1' });
  const go = `${MAGIC_LINK_CALLBACK}?${query.toString()}`;
  const user = await currentUser();
  if (!user || !/^[A-Za-z0-9_-]{1,200}$/.test(token)) redirect(user ? '/app' : go);
  return (
    <>
      <h1>Switch account?</h1>
      <div className="card stack">
        <p className="alert info" role="alert">
          You are signed in as <strong>{user.email}</strong>. This sign-in link is for another account
          {linkFor ? (
            <>
              , <strong>{linkFor}</strong>
            </>
          ) : null}
          . Only continue if you asked for it yourself.
        </p>
        <Link className="btn" href="/app">
          Stay signed in as {user.email}
        </Link>
        {/* A plain link: the GET is what a magic link is, and it must leave our pages for Auth.js's route. */}
        <a className="btn secondary" href={go}>
          Sign in as {linkFor || 'the other account'}
        </a>
      </div>
    </>
  );
}
