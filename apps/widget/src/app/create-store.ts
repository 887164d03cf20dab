/** A minimal observable value: the controller writes, the Preact tree subscribes. */
export interface TStore<T> {
  get(): T;
  update(fn: (state: T) => T): void;
  /** Shallow merge: `update((s) => ({ ...s, ...patch }))`. */
  set(patch: Partial<T>): void;
  subscribe(listener: (state: T) => void): () => void;
}

export function createStore<T>(initial: T): TStore<T> {
  let state = initial;
  const listeners = new Set<(state: T) => void>();
  const update = (fn: (state: T) => T) => {
    const next = fn(state);
    if (next === state) return;
    state = next;
    for (const listener of Array.from(listeners)) listener(state);
  };
  return {
    get: () => state,
    update,
    set: (patch) => update((s) => ({ ...s, ...patch })),
    subscribe(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
  };
}
