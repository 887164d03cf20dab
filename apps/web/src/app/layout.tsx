import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'PocketPing', template: '%s · PocketPing' },
  description: 'Live chat for your website, answered from Telegram, Discord or Slack.',
};

/** The root shell. The dashboard will get its own nested layout (route group) with navigation and session. */
export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>{children}</body>
    </html>
  );
}
