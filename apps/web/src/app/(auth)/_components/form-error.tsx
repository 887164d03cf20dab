import type { ReactNode } from 'react';

/** An error announced to screen readers as soon as it appears. */
export function FormError({ id, children }: { id?: string; children: ReactNode }) {
  if (!children) return null;
  return (
    <div id={id} className="alert error" role="alert">
      {children}
    </div>
  );
}
