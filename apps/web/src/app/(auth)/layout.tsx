import type { ReactNode } from 'react';
import Link from 'next/link';
import '../(dashboard)/app/dashboard.css';
import './auth.css';

/** Shell of the account pages (sign up, log in, mailed links, invitations): brand link and one centred column. */
export default function AuthLayout({ children }: { children: ReactNode }) {
  return (
    <div className="auth-root">
      <Link href="/" className="auth-brand">
        PocketPing
      </Link>
      <main className="auth-main">{children}</main>
    </div>
  );
}
