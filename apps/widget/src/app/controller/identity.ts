// identify() and trigger(): what the page tells the team about the visitor besides messages, (re)sent on every
// session; and the loading of extras.js, where the forms themselves live (./form-submits.ts).
import type { TCore } from './core.js';
import { scalars, toIdentifyPayload, type TScalars } from './payloads.js';
import type { TIdentifyInput } from '../../shared/app-contract.js';

/** Custom events kept while offline; older ones are dropped first. */
const MAX_QUEUED_EVENTS = 20;

export function createIdentity(core: TCore) {
  const { deps, set, request, isConnected, warn, rememberEmail } = core;
  let identity: Record<string, unknown> | null = null;
  const queuedEvents: { name: string; data?: TScalars }[] = [];
  let isLoadingExtras = false;

  async function sendIdentity() {
    if (!identity) return;
    const res = await request('identify', identity);
    if (!res.ok) warn('identify refused', res.error);
    else if (identity.email) rememberEmail();
  }

  function flushEvents() {
    while (queuedEvents.length && isConnected()) {
      const event = queuedEvents.shift()!;
      void request('event', event).then((res) =>
        res.ok ? undefined : warn(`trigger(${event.name}) refused`, res.error),
      );
    }
  }

  return {
    /** The server knows the visitor now: identity and events waiting for a connection go out. */
    onSession() {
      void sendIdentity();
      flushEvents();
    },

    identify(input: TIdentifyInput) {
      identity = toIdentifyPayload(input);
      if (!identity) console.error('[PocketPing] identify() needs { id }');
      else if (isConnected()) void sendIdentity();
    },

    track(name: string, data?: Record<string, unknown>) {
      if (typeof name !== 'string' || !/^[\w.:-]{1,100}$/.test(name))
        return console.error('[PocketPing] trigger() needs a name of letters, digits, _ . : -');
      const fields = scalars(data);
      queuedEvents.push(fields ? { name, data: fields } : { name });
      if (queuedEvents.length > MAX_QUEUED_EVENTS) queuedEvents.shift();
      flushEvents();
    },

    /** A form is due: load extras.js (forms, uploader) if it is not there yet. */
    needExtras() {
      if (core.get().extras || isLoadingExtras || !deps.loadExtras) return;
      isLoadingExtras = true;
      deps.loadExtras().then(
        (extras) => set({ extras }),
        () => (isLoadingExtras = false), // the next render asks again
      );
    },
  };
}
