'use client';

import { useEffect, useRef, useState } from 'react';
import Link from 'next/link';
import { usePathname, useRouter } from 'next/navigation';
import { signOut } from 'next-auth/react';
import type { Role } from '@pocketping/db';
import { UserAvatar } from './user-avatar';

interface TProps {
  orgId: string;
  orgName: string;
  role: Role;
  userEmail: string;
  userName: string | null;
  avatarUrl: string | null;
  projects: { id: string; name: string }[];
  organizations: { id: string; name: string }[];
}

/**
 * Sidebar of the signed-in app. Items an agent cannot use are not shown (the server refuses them anyway).
 * On a phone it folds into a top bar with a Menu button: the menu closes on navigation and on Escape.
 */
export function DashboardNav({
  orgId,
  orgName,
  role,
  userEmail,
  userName,
  avatarUrl,
  projects,
  organizations,
}: TProps) {
  const pathname = usePathname() ?? '';
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const match = /\/app\/o\/[^/]+\/p\/([^/]+)/.exec(pathname);
  const projectId = match?.[1] ?? projects[0]?.id;
  const base = `/app/o/${orgId}`;
  const isAdmin = role === 'owner' || role === 'admin';

  useEffect(() => setOpen(false), [pathname]);
  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape') return;
      setOpen(false);
      buttonRef.current?.focus();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [open]);

  const link = (href: string, label: string, opts: { soon?: boolean } = {}) => (
    <li key={href}>
      <Link
        href={href}
        className={pathname.startsWith(href) ? 'active' : undefined}
        aria-current={pathname.startsWith(href) ? 'page' : undefined}
        // A link to the page already shown changes no path: close the menu here too.
        onClick={() => setOpen(false)}
      >
        {label}
        {opts.soon ? <span className="badge soon">soon</span> : null}
      </Link>
    </li>
  );
  return (
    <div className="dash-side">
      <div className="dash-topbar">
        <Link href="/app" className="dash-brand">
          PocketPing
        </Link>
        <button
          ref={buttonRef}
          type="button"
          className="dash-menu-btn"
          aria-expanded={open}
          aria-controls="dash-menu"
          onClick={() => setOpen((o) => !o)}
        >
          <span aria-hidden="true">{open ? '✕' : '☰'}</span> Menu
        </button>
      </div>
      <nav id="dash-menu" className={`dash-nav${open ? ' open' : ''}`} aria-label="Dashboard">
        <label className="dash-switch">
          <span className="sr-only">Organization</span>
          <select value={orgId} onChange={(e) => router.push(`/app/o/${e.target.value}`)} aria-label="Organization">
            {organizations.map((o) => (
              <option key={o.id} value={o.id}>
                {o.name}
              </option>
            ))}
          </select>
        </label>
        {projects.length > 0 ? (
          <label className="dash-switch">
            <span className="sr-only">Project</span>
            <select
              value={projectId}
              onChange={(e) => router.push(`${base}/p/${e.target.value}/inbox`)}
              aria-label="Project"
            >
              {projects.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name}
                </option>
              ))}
            </select>
          </label>
        ) : null}
        {projectId ? (
          <ul>
            {link(`${base}/p/${projectId}/inbox`, 'Inbox')}
            {link(`${base}/p/${projectId}/saved-replies`, 'Saved replies')}
            {link(`${base}/p/${projectId}/stats`, 'Stats')}
            {link(`${base}/p/${projectId}/install`, 'Install')}
            {isAdmin ? link(`${base}/p/${projectId}/bridges`, 'Chat apps') : null}
            {isAdmin ? link(`${base}/p/${projectId}/settings`, 'Settings') : null}
            {isAdmin ? link(`${base}/p/${projectId}/webhooks`, 'Webhooks') : null}
            {link(`${base}/p/${projectId}/ai`, 'AI assistant')}
          </ul>
        ) : null}
        <ul>
          {isAdmin ? link(`/app/onboarding?org=${orgId}`, '+ New project') : null}
          {link(`${base}/stats`, 'Organization stats')}
          {link(`${base}/team`, 'Team')}
          {link(`${base}/usage`, 'Usage')}
          {isAdmin ? link(`${base}/api-keys`, 'API keys') : null}
          {role === 'owner' ? link(`${base}/billing`, 'Billing') : null}
          {isAdmin ? link(`${base}/audit`, 'Audit log') : null}
          {role === 'owner' ? link(`${base}/privacy`, 'Delete organization') : null}
        </ul>
        <div className="dash-user" data-testid="dash-user">
          <UserAvatar name={userName} email={userEmail} url={avatarUrl} size={28} />
          <span title={`${userEmail} · ${orgName}`}>{userName ?? userEmail}</span>
          <span className="badge">{role}</span>
          <Link href="/app/account" className="btn-link">
            Profile
          </Link>
          <Link href="/app/account/notifications" className="btn-link">
            Notifications
          </Link>
          <button type="button" className="btn-link" onClick={() => void signOut({ redirectTo: '/login' })}>
            Log out
          </button>
        </div>
      </nav>
    </div>
  );
}
