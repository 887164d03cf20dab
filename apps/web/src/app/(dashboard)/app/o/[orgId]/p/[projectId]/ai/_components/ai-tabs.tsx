'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';

const TABS = [
  { path: '', label: 'Settings' },
  { path: '/knowledge', label: 'Knowledge' },
  { path: '/playground', label: 'Playground' },
] as const;

export function AiTabs({ base }: { base: string }) {
  const pathname = usePathname();
  return (
    <nav className="ai-tabs" aria-label="AI assistant">
      {TABS.map((t) => {
        const href = `${base}${t.path}`;
        const current = pathname === href;
        return (
          <Link
            key={t.path}
            href={href}
            aria-current={current ? 'page' : undefined}
            className={current ? 'active' : ''}
          >
            {t.label}
          </Link>
        );
      })}
    </nav>
  );
}
