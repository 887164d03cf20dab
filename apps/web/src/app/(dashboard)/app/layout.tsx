import type { ReactNode } from 'react';
import './dashboard.css';

export default function DashboardRoot({ children }: { children: ReactNode }) {
  return <div className="dash-root">{children}</div>;
}
