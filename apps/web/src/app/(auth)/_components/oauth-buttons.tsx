'use client';

import { signIn } from 'next-auth/react';

/** One button per configured OAuth provider (none when GitHub/Google are not set up). */
export function OAuthButtons({ providers, next }: { providers: { id: string; label: string }[]; next: string }) {
  if (providers.length === 0) return null;
  return (
    <div className="stack">
      {providers.map((p) => (
        <button
          key={p.id}
          type="button"
          className="btn secondary"
          style={{ justifyContent: 'center' }}
          onClick={() => void signIn(p.id, { redirectTo: next })}
        >
          Continue with {p.label}
        </button>
      ))}
    </div>
  );
}
