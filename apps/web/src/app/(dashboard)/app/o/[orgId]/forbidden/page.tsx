import Link from 'next/link';

export default async function ForbiddenPage({
  params,
  searchParams,
}: {
  params: Promise<{ orgId: string }>;
  searchParams: Promise<{ need?: string }>;
}) {
  const { orgId } = await params;
  const { need } = await searchParams;
  const role = need === 'owner' || need === 'admin' ? need : 'admin';
  return (
    <section className="card" role="alert">
      <h1>Not allowed</h1>
      <p>
        This page needs the <strong>{role}</strong> role. Ask an owner of this organization to change your role.
      </p>
      <p>
        <Link href={`/app/o/${orgId}`}>Back to the dashboard</Link>
      </p>
    </section>
  );
}
