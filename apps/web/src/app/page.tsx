import Link from 'next/link';

export default function HomePage() {
  return (
    <main className="container">
      <h1>PocketPing</h1>
      <p className="lead">
        Live chat for your website that lands in Telegram, Discord or Slack. Your team answers from the app they already
        use; visitors get the reply in the widget, live.
      </p>
      <p>
        <Link
          href="/signup"
          style={{
            display: 'inline-block',
            background: 'var(--accent)',
            color: '#fff',
            padding: '0.55rem 1rem',
            borderRadius: 6,
            textDecoration: 'none',
            marginRight: '1rem',
          }}
        >
          Sign up free
        </Link>
        <Link href="/login">Log in</Link> · <Link href="/demo">Try the demo →</Link>
      </p>
    </main>
  );
}
