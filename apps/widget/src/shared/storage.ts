/** The slice of Web Storage the widget uses; an in-memory map stands in where storage is blocked. */
export interface TKeyValueStore {
  get(key: string): string | null;
  set(key: string, value: string): void;
  remove(key: string): void;
}

/** Every key the widget writes, namespaced by project so two widgets on one origin never mix visitors. */
export function storageKeys(projectKey: string) {
  const prefix = `pocketping:${projectKey}:`;
  return {
    /** localStorage: the visitor token the server issued. */
    visitor: `${prefix}visitor`,
    /** localStorage: id of the visitor's conversation; tells the loader there is something to resume. */
    conversation: `${prefix}conversation`,
    /** localStorage: highest seq the visitor has seen, drives the unread badge. */
    lastRead: `${prefix}read`,
    /** localStorage: `{ color, position }` of the last session, so the loader's launcher looks right at once. */
    appearance: `${prefix}appearance`,
    /** localStorage: '1' once the visitor gave an email (pre-chat, away form, identify): not asked again. */
    email: `${prefix}email`,
    /** localStorage: '1' once the pre-chat form was submitted. */
    preChat: `${prefix}prechat`,
    /** sessionStorage: the panel was open, reopen it on the next page of this tab. */
    open: `${prefix}open`,
    /** sessionStorage: '1' once the loader's boot call answered in this tab (appearance fresh, installation seen). */
    booted: `${prefix}booted`,
  };
}

export function createMemoryStore(): TKeyValueStore {
  const map = new Map<string, string>();
  return {
    get: (key) => (map.has(key) ? (map.get(key) as string) : null),
    set: (key, value) => void map.set(key, value),
    remove: (key) => void map.delete(key),
  };
}

/**
 * localStorage/sessionStorage behind try/catch: sandboxed iframes, blocked third-party storage and full quotas
 * throw on access. Falls back to memory so the widget still works for the current page.
 */
export function createBrowserStore(kind: 'localStorage' | 'sessionStorage'): TKeyValueStore {
  const memory = createMemoryStore();
  let storage: Storage | null = null;
  try {
    storage = window[kind];
    const probe = 'pocketping:probe';
    storage.setItem(probe, '1');
    storage.removeItem(probe);
  } catch {
    storage = null;
  }
  if (!storage) return memory;
  const web = storage;
  return {
    get(key) {
      try {
        return web.getItem(key) ?? memory.get(key);
      } catch {
        return memory.get(key);
      }
    },
    set(key, value) {
      memory.set(key, value);
      try {
        web.setItem(key, value);
      } catch {
        // quota exceeded: the memory copy keeps this page working
      }
    },
    remove(key) {
      memory.remove(key);
      try {
        web.removeItem(key);
      } catch {
        // ignore, see set()
      }
    },
  };
}

/** One write, for the loader (its boot call); a blocked or full storage only loses the cache. */
export function writeStorage(kind: 'localStorage' | 'sessionStorage', key: string, value: string): void {
  try {
    window[kind].setItem(key, value);
  } catch {
    // see createBrowserStore
  }
}

/** One read, for the loader: it skips the wrapper above and stays small. */
export function readStorage(kind: 'localStorage' | 'sessionStorage', key: string): string | null {
  try {
    return window[kind].getItem(key);
  } catch {
    return null;
  }
}
