import Link from 'next/link';

const TABS = [
  { href: '/app/account', label: 'Profile' },
  { href: '/app/account/notifications', label: 'Notification settings' },
] as const;

/** The top of every account page: the way back to the user's first organization, the title and the page tabs. */
export function AccountHeader({
  title,
  current,
  memberships,
}: {
  title: string;
  current: (typeof TABS)[number]['href'];
  memberships: readonly { organization: { id: string } }[];
}) {
  const back = memberships[0] ? `/app/o/${memberships[0].organization.id}` : '/app';
  return (
    <>
      <p>
        <Link href={back}>← Back to the dashboard</Link>
      </p>
      <h1>{title}</h1>
      <nav className="row account-tabs" aria-label="Account">
        {TABS.map((tab) => (
          <Link key={tab.href} href={tab.href} {...(tab.href === current ? { 'aria-current': 'page' as const } : {})}>
            {tab.label}
          </Link>
        ))}
      </nav>
    </>
  );
}
