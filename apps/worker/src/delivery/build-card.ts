import type { TConversationCard } from '@pocketping/bridges';
import { getConversationDetails, type TDb } from '@pocketping/db';

const str = (v: unknown): string | null =>
  typeof v === 'string' && v.trim().length > 0 ? v.trim().slice(0, 500) : null;

/**
 * The visitor card of a conversation (first post of a thread, and /info): what the widget recorded about the page
 * and browser, the identity, and the pre-chat answers. Only strings are taken from the free-form JSON columns.
 */
/** Identity traits (scalars only, at most 20), as strings. */
function traitsOf(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return out;
  for (const [k, value] of Object.entries(v as Record<string, unknown>).slice(0, 20)) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
      out[k.slice(0, 64)] = String(value).slice(0, 300);
  }
  return out;
}

export async function buildCard(db: TDb, organizationId: string, conversationId: string): Promise<TConversationCard> {
  const c = await getConversationDetails(db, organizationId, conversationId);
  const meta = (c?.visitor?.metadata ?? {}) as Record<string, unknown>;
  const extra: Record<string, string> = {};
  const preChat = (c?.preChat ?? null) as { fields?: unknown } | null;
  if (preChat && typeof preChat.fields === 'object' && preChat.fields !== null) {
    for (const [k, v] of Object.entries(preChat.fields as Record<string, unknown>).slice(0, 20)) {
      const value = str(v);
      if (value) extra[k.slice(0, 64)] = value;
    }
  }
  if (c?.visitor?.externalId)
    extra['User id'] = `${c.visitor.externalId}${c.visitor.identityVerified ? ' (verified)' : ' (unverified)'}`;
  // Only what the customer signed is verified (a signed identity token); the rest is the visitor's own claim.
  const signed = new Set(c?.visitor?.identityVerified ? c.visitor.verifiedFields : []);
  for (const [k, v] of Object.entries(traitsOf(meta.traits)))
    extra[k] = signed.has(`traits.${k}`) ? v : `${v} (unverified)`;
  const card: TConversationCard = {
    conversationId,
    ...(c?.visitor?.id ? { visitorId: c.visitor.id } : {}),
    visitorName: c?.visitor?.name ?? null,
    visitorEmail: c?.visitor?.email ?? null,
    pageUrl: str(meta.pageUrl),
    referrer: str(meta.referrer),
    userAgent: str(meta.userAgent),
    location: str(meta.location),
    extra,
    verified: { name: signed.has('name'), email: signed.has('email') },
  };
  if (c) card.status = c.status;
  return card;
}
