'use client';

import { useRouter } from 'next/navigation';
import { useEffect, useRef, useState } from 'react';
import { io, type Socket } from 'socket.io-client';
import { api } from '~/lib/api-client';
import {
  ALERTS_CHANGED_EVENT,
  claimAlert,
  loadBrowserAlerts,
  notificationPermission,
  playChime,
  showDesktopNotification,
  type TBrowserAlerts,
} from '~/lib/browser-alerts';

/** The part of a realtime `inbox` event this component reads (the full contract is @pocketping/jobs dashboard-push.ts). */
interface TInboxEvent {
  type: 'message' | 'conversation' | 'visitor' | 'typing';
  projectId: string;
  seq?: number;
  visibility?: string;
  conversationId?: string;
  visitorId?: string;
  sender?: string;
  isTyping?: boolean;
  change?: string;
}

/** The window event the reply box dispatches while the operator types (see composer.tsx). */
export const OPERATOR_TYPING_EVENT = 'pocketping:operator-typing';
/** How long "Visitor is typing…" stays without a refresh (the widget refreshes every 3 s while typing). */
const VISITOR_TYPING_TTL_MS = 6_000;

type TState = 'connecting' | 'live' | 'offline';

async function fetchToken(orgId: string): Promise<{ token: string; url: string }> {
  const res = await fetch(`/api/app/orgs/${orgId}/realtime-token`, { credentials: 'same-origin', cache: 'no-store' });
  if (!res.ok) throw new Error(`realtime token: ${res.status}`);
  return (await res.json()) as { token: string; url: string };
}

/**
 * Keeps a server-rendered inbox page live: connects to realtime's /dashboard namespace with a short-lived token
 * (fetched again for every (re)connection), and on an event for this project — or this conversation, when given —
 * re-renders the page from the server (`router.refresh()`, debounced). A visitor coming online or going offline
 * (`type: 'visitor'`) refreshes the list, and the conversation view of that visitor. After a reconnect or when the tab becomes
 * visible again it refreshes too, so an event missed while offline changes nothing.
 */
export function InboxLive({
  orgId,
  projectId,
  conversationId,
  visitorId,
  isClosed = false,
}: {
  orgId: string;
  projectId: string;
  conversationId?: string;
  visitorId?: string;
  /** A closed conversation's page also re-renders when a conversation opens: it may be this visitor writing again. */
  isClosed?: boolean;
}) {
  const router = useRouter();
  const [state, setState] = useState<TState>('connecting');
  const [isVisitorTyping, setVisitorTyping] = useState(false);
  // Read by the socket's handlers, not effect dependencies: closing the conversation re-renders the page, and a new
  // socket then would miss what happens while it connects (the visitor writing again right after the close).
  const isClosedRef = useRef(isClosed);
  const visitorIdRef = useRef(visitorId);
  useEffect(() => {
    isClosedRef.current = isClosed;
    visitorIdRef.current = visitorId;
  }, [isClosed, visitorId]);

  // The user's alert settings, read by the socket's handler: loaded once, then kept current (a change in this tab, or
  // in another one when this tab comes back).
  const alertsRef = useRef<Promise<TBrowserAlerts | null> | TBrowserAlerts | null>(null);
  useEffect(() => {
    const load = () => {
      const loading = loadBrowserAlerts().then(
        (a) => (alertsRef.current = a),
        () => null,
      );
      // An event arriving before the first answer waits for it rather than being dropped.
      alertsRef.current ??= loading;
    };
    const onChanged = (e: Event) => void (alertsRef.current = (e as CustomEvent<TBrowserAlerts>).detail);
    load();
    window.addEventListener('focus', load);
    window.addEventListener(ALERTS_CHANGED_EVENT, onChanged);
    return () => {
      window.removeEventListener('focus', load);
      window.removeEventListener(ALERTS_CHANGED_EVENT, onChanged);
    };
  }, []);

  useEffect(() => {
    let socket: Socket | null = null;
    let stopped = false;
    let refreshTimer: ReturnType<typeof setTimeout> | undefined;
    let retryTimer: ReturnType<typeof setTimeout> | undefined;
    let retries = 0;
    let typingTimer: ReturnType<typeof setTimeout> | undefined;
    const showTyping = (isTyping: boolean) => {
      clearTimeout(typingTimer);
      setVisitorTyping(isTyping);
      // A lost `false` (tab closed mid-sentence) never leaves it on.
      if (isTyping) typingTimer = setTimeout(() => setVisitorTyping(false), VISITOR_TYPING_TTL_MS);
    };
    // The operator's typing goes to the visitor's widget through this socket (realtime checks the conversation).
    const onOperatorTyping = (e: Event) => {
      const detail = (e as CustomEvent<{ conversationId: string; isTyping: boolean }>).detail;
      if (conversationId && detail?.conversationId === conversationId && socket?.connected)
        socket.emit('typing', { conversationId, isTyping: detail.isTyping });
    };
    /**
     * A visitor's new public message in any project of the organization alerts the user — unless they are looking at
     * that conversation right now. Team replies, AI answers and notes never do (the alert route answers only for a
     * public visitor message).
     */
    const alertFor = async (event: TInboxEvent) => {
      if (!event.conversationId || !event.seq) return;
      if (event.type !== 'message' || event.change !== 'created') return;
      if (event.sender !== 'visitor' || event.visibility === 'internal') return;
      if (event.conversationId === conversationId && document.visibilityState === 'visible') return;
      const prefs = await alertsRef.current;
      if (!prefs) return;
      const desktop = prefs.desktop && notificationPermission() === 'granted';
      if (!desktop && !prefs.sound) return;
      // Another open inbox tab of this browser may have announced it already.
      if (!(await claimAlert(`${event.conversationId}:${event.seq}`))) return;
      const href = `/app/o/${orgId}/p/${event.projectId}/inbox/${event.conversationId}`;
      api<{ alert: { title: string; body: string } }>(
        `/api/app/orgs/${orgId}/projects/${event.projectId}/conversations/${event.conversationId}/alert?seq=${event.seq}`,
      ).then(
        ({ alert }) => {
          if (desktop) showDesktopNotification(alert, `pp-${event.conversationId}`, () => router.push(href));
          if (prefs.sound) playChime();
        },
        () => undefined, // gone or not a visitor message: nothing to announce
      );
    };
    const refresh = () => {
      clearTimeout(refreshTimer);
      refreshTimer = setTimeout(() => router.refresh(), 250);
    };
    const onVisible = () => {
      if (document.visibilityState === 'visible') refresh();
    };
    const retryLater = () => {
      clearTimeout(retryTimer);
      retries += 1;
      retryTimer = setTimeout(
        () => {
          if (!stopped) socket?.connect();
        },
        Math.min(30_000, 1_000 * 2 ** Math.min(retries, 5)),
      );
    };

    void (async () => {
      let first: { token: string; url: string };
      try {
        first = await fetchToken(orgId);
      } catch {
        if (!stopped) setState('offline');
        return;
      }
      if (stopped) return;
      let pending: string | null = first.token;
      let connectedBefore = false;
      socket = io(`${first.url.replace(/\/+$/, '')}/dashboard`, {
        transports: ['websocket'],
        auth: (cb) => {
          if (pending) {
            cb({ token: pending });
            pending = null;
            return;
          }
          fetchToken(orgId).then(
            (t) => cb({ token: t.token }),
            () => cb({ token: '' }),
          );
        },
      });
      socket.on('connect', () => {
        retries = 0;
        setState('live');
        if (connectedBefore) refresh();
        connectedBefore = true;
      });
      socket.on('disconnect', (reason) => {
        setState('offline');
        // The server closes a socket when its token expires: come back with a fresh one.
        if (reason === 'io server disconnect') socket?.connect();
      });
      socket.on('connect_error', () => {
        setState('offline');
        // A refused handshake is not retried by the client itself.
        if (!socket?.active) retryLater();
      });
      socket.on('inbox', (event: TInboxEvent) => {
        void alertFor(event);
        if (event.projectId !== projectId) return;
        if (event.type === 'typing') {
          // Ephemeral: shown on the conversation's page, never a reload.
          if (conversationId && event.conversationId === conversationId) showTyping(event.isTyping === true);
          return;
        }
        if (event.type === 'message' && event.sender === 'visitor' && event.conversationId === conversationId)
          showTyping(false);
        if (isClosedRef.current && event.type === 'conversation' && event.change === 'opened') return refresh();
        if (event.type === 'visitor') {
          if (conversationId && event.visitorId !== visitorIdRef.current) return;
        } else if (conversationId && event.conversationId !== conversationId) return;
        refresh();
      });
    })();
    document.addEventListener('visibilitychange', onVisible);
    window.addEventListener(OPERATOR_TYPING_EVENT, onOperatorTyping);
    return () => {
      clearTimeout(typingTimer);
      window.removeEventListener(OPERATOR_TYPING_EVENT, onOperatorTyping);
      stopped = true;
      clearTimeout(refreshTimer);
      clearTimeout(retryTimer);
      document.removeEventListener('visibilitychange', onVisible);
      socket?.close();
    };
  }, [orgId, projectId, conversationId, router]);

  const label = state === 'live' ? 'Live' : state === 'connecting' ? 'Connecting…' : 'Offline — reload to update';
  return (
    <>
      {isVisitorTyping ? (
        <span className="visitor-typing muted" role="status" data-testid="visitor-typing">
          Visitor is typing…
        </span>
      ) : null}
      <span className={`inbox-live ${state}`} role="status" aria-live="polite" data-state={state}>
        <span className="dot" aria-hidden="true" /> {label}
      </span>
    </>
  );
}
