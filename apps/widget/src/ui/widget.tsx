import { useEffect, useRef } from 'preact/hooks';
import { countUnread } from '../app/chat-state.js';
import type { TStore } from '../app/create-store.js';
import type { TWidgetController } from '../app/widget-controller.js';
import type { TWidgetState } from '../app/widget-state.js';
import { readableTextColor } from '../shared/appearance.js';
import { Launcher } from './launcher.js';
import { Panel } from './panel.js';
import { useStore } from './use-store.js';

interface TWidgetProps {
  store: TStore<TWidgetState>;
  controller: TWidgetController;
  /** Focus the composer on the first render (the visitor clicked the loader's launcher). */
  focusOnMount: boolean;
}

export function Widget({ store, controller, focusOnMount }: TWidgetProps) {
  const state = useStore(store);
  const inputRef = useRef<HTMLTextAreaElement>(null);
  const launcherRef = useRef<HTMLButtonElement>(null);
  const wasOpenRef = useRef<boolean | null>(null);

  // Focus follows the panel: into the composer when it opens, back to the launcher when it closes. A panel
  // restored on page load does not steal focus from the page.
  useEffect(() => {
    const wasOpen = wasOpenRef.current;
    wasOpenRef.current = state.isOpen;
    if (wasOpen === null) {
      if (state.isOpen && focusOnMount) inputRef.current?.focus();
      return;
    }
    if (state.isOpen && !wasOpen) inputRef.current?.focus();
    else if (!state.isOpen && wasOpen && isFocusInside(launcherRef.current)) launcherRef.current?.focus();
  }, [state.isOpen]);

  const { color, position } = state.settings;
  const theme = { '--pp-color': color, '--pp-fg': readableTextColor(color) };
  const className = `pp pp-${position === 'left' ? 'left' : 'right'}${state.isOpen ? ' pp-open' : ''}`;
  return (
    <div class={className} style={theme} data-pp="root">
      {state.isOpen && <Panel state={state} controller={controller} inputRef={inputRef} onClose={controller.close} />}
      <Launcher
        isOpen={state.isOpen}
        unread={countUnread(state.chat, state.lastReadSeq)}
        onToggle={controller.toggle}
        buttonRef={launcherRef}
      />
    </div>
  );
}

/** True when focus is somewhere in the widget (or nowhere): only then is moving it to the launcher polite. */
function isFocusInside(el: HTMLElement | null): boolean {
  if (!el) return false;
  const root = el.getRootNode() as ShadowRoot;
  const doc = el.ownerDocument;
  return root.activeElement !== null || doc.activeElement === doc.body || doc.activeElement === null;
}
