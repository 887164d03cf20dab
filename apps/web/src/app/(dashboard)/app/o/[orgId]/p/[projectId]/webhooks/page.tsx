import type { Metadata } from 'next';
import { WEBHOOK_EVENT_TYPES } from '@pocketping/protocol';
import { listWebhookDeliveries, listWebhookEndpoints } from '@pocketping/webhooks';
import { getContext } from '~/server/context';
import { requirePageProject } from '~/server/page-guard';
import { webhookDeps } from '~/server/webhooks/webhook-endpoints';
import { CreateWebhookEndpoint, EndpointActions, ReplayDelivery } from './webhooks-client';
import '../../../team/lists.css';
import { DateTime } from '~/components/date-time';

export const metadata: Metadata = { title: 'Webhooks' };
export const dynamic = 'force-dynamic';

/**
 * /webhooks (admin+): the project's outbound webhook endpoints — create with an event filter (the signing secret
 * shown once), rotate, enable/disable, send a test event, delete — and each one's delivery log with replay.
 */
export default async function WebhooksPage({ params }: { params: Promise<{ orgId: string; projectId: string }> }) {
  const { orgId, projectId } = await params;
  await requirePageProject(orgId, projectId, 'admin');
  const deps = webhookDeps(getContext());
  const endpoints = await listWebhookEndpoints(deps, orgId, projectId);
  const logs = await Promise.all(endpoints.map((e) => listWebhookDeliveries(deps, orgId, e.id, { limit: 20 })));
  return (
    <div className="stack">
      <h1>Webhooks</h1>
      <section className="card stack">
        <p className="muted" style={{ margin: 0 }}>
          PocketPing calls your endpoints when something happens in this project (a new conversation, a message, a
          custom event from <code>PocketPing.trigger()</code>, a rating…). Every call is signed per Standard Webhooks (
          <code>webhook-id</code>, <code>webhook-timestamp</code>, <code>webhook-signature</code>), so any Standard
          Webhooks library can verify it. Failed calls are retried for about 27 hours, in order per conversation.
        </p>
        <CreateWebhookEndpoint orgId={orgId} projectId={projectId} eventTypes={[...WEBHOOK_EVENT_TYPES]} />
      </section>
      {endpoints.length === 0 ? <p className="muted">No webhook endpoints yet.</p> : null}
      {endpoints.map((e, i) => (
        <section className="card stack" key={e.id} data-testid="webhook-endpoint" aria-label={`Endpoint ${e.url}`}>
          <div className="row" style={{ justifyContent: 'space-between' }}>
            <div className="stack" style={{ gap: '0.25rem' }}>
              <strong style={{ wordBreak: 'break-all' }}>{e.url}</strong>
              {e.description ? <span className="muted">{e.description}</span> : null}
              <span>
                {e.status === 'enabled' ? (
                  <span className="badge ok">enabled</span>
                ) : (
                  <span className="badge bad" title={e.disabledReason ?? ''}>
                    disabled
                  </span>
                )}{' '}
                {e.disabledReason ? <span className="muted">{e.disabledReason}</span> : null}
              </span>
              <span className="muted">Events: {e.events.join(', ')}</span>
              {e.previousSecretExpiresAt && e.previousSecretExpiresAt > new Date() ? (
                <span className="muted">
                  The previous secret keeps signing until <DateTime value={e.previousSecretExpiresAt} />.
                </span>
              ) : null}
            </div>
            <EndpointActions orgId={orgId} projectId={projectId} endpointId={e.id} enabled={e.status === 'enabled'} />
          </div>
          <h2 style={{ fontSize: '1rem', margin: 0 }}>Recent deliveries</h2>
          {logs[i]!.deliveries.length === 0 ? (
            <p className="muted">Nothing sent yet.</p>
          ) : (
            <div style={{ overflowX: 'auto' }}>
              <table className="list stacked" data-testid="webhook-deliveries">
                <thead>
                  <tr>
                    <th>Event</th>
                    <th>Status</th>
                    <th>Attempts</th>
                    <th>Last answer</th>
                    <th>Latency</th>
                    <th>Created</th>
                    <th>
                      <span className="sr-only">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {logs[i]!.deliveries.map((d) => {
                    const last = d.attemptLog[0];
                    return (
                      <tr key={d.id}>
                        <td data-label="Event">
                          <code>{d.eventType}</code>
                        </td>
                        <td data-label="Status">
                          <span
                            className={`badge ${d.status === 'delivered' ? 'ok' : d.status === 'failed' ? 'bad' : 'warn'}`}
                          >
                            {d.status}
                          </span>
                          {d.status === 'pending' && d.attempts > 0 ? (
                            <span className="muted">
                              {' '}
                              next try <DateTime value={d.nextAttemptAt} />
                            </span>
                          ) : null}
                        </td>
                        <td data-label="Attempts">{d.attempts}</td>
                        <td data-label="Last answer">
                          {last ? (
                            <>
                              {last.status ?? 'no answer'}{' '}
                              <code className="muted" style={{ wordBreak: 'break-all' }}>
                                {last.response.slice(0, 120)}
                              </code>
                            </>
                          ) : (
                            <span className="muted">—</span>
                          )}
                        </td>
                        <td data-label="Latency">{last ? `${last.latencyMs} ms` : '—'}</td>
                        <td data-label="Created">
                          <DateTime value={d.createdAt} />
                        </td>
                        <td className="actions">
                          <ReplayDelivery orgId={orgId} projectId={projectId} endpointId={e.id} deliveryId={d.id} />
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          )}
        </section>
      ))}
    </div>
  );
}
