import { useEffect, useState } from 'preact/hooks';
import type { TStore } from '../app/create-store.js';

export function useStore<T>(store: TStore<T>): T {
  const [state, setState] = useState(store.get());
  useEffect(() => {
    const unsubscribe = store.subscribe(setState);
    setState(store.get()); // catch an update made between the first render and this effect
    return unsubscribe;
  }, [store]);
  return state;
}
