import type { Metadata } from 'next';
import Link from 'next/link';

export const metadata: Metadata = { title: 'Page not found' };

/** Every unknown address (and every `notFound()` without a page of its own): the brand, what happened, a way back. */
export default function NotFound() {
  return (
    <main className="container not-found" data-testid="not-found">
      <p className="not-found-brand">
        <Link href="/">PocketPing</Link>
      </p>
      <h1>Page not found</h1>
      <p className="lead">
        This page does not exist, or you do not have access to it. Check the address, or go back to where you were.
      </p>
      <p className="not-found-actions">
        <Link className="not-found-primary" href="/app">
          Go to your dashboard
        </Link>
        <Link href="/">PocketPing home</Link>
      </p>
    </main>
  );
}
