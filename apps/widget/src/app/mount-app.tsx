import { render } from 'preact';
import { parseAppearance } from '../shared/appearance.js';
import type { TAppController, TMountOptions } from '../shared/app-contract.js';
import { appendStyle } from '../shared/shadow-host.js';
import { createBrowserStore, storageKeys } from '../shared/storage.js';
import { connectWidgetSocket } from '../transport/connect-widget-socket.js';
import { DEFAULT_SETTINGS } from '../transport/protocol.js';
import { LAUNCHER_CSS, PANEL_CSS } from '../ui/styles.js';
import { Widget } from '../ui/widget.js';
import { EMPTY_CHAT } from './chat-state.js';
import { createStore } from './create-store.js';
import { createWidgetController } from './widget-controller.js';
import type { TWidgetState } from './widget-state.js';

/** Takes over the shadow root the loader prepared, connects, and renders the chat. */
export function mountApp({ root, config, isOpen, focusInput, nonce }: TMountOptions): TAppController {
  const local = createBrowserStore('localStorage');
  const session = createBrowserStore('sessionStorage');
  const keys = storageKeys(config.projectKey);
  const lastRead = Number(local.get(keys.lastRead));

  const store = createStore<TWidgetState>({
    isOpen: false,
    connection: { phase: 'connecting', error: null, willRetry: false },
    chat: EMPTY_CHAT,
    // Until `session` arrives, look like last time (the loader's launcher already does).
    settings: { ...DEFAULT_SETTINGS, ...parseAppearance(local.get(keys.appearance), DEFAULT_SETTINGS) },
    lastReadSeq: Number.isFinite(lastRead) && lastRead > 0 ? lastRead : 0,
  });
  const doc = root.ownerDocument;
  const controller = createWidgetController({
    config,
    store,
    local,
    session,
    isPageVisible: () => doc.visibilityState !== 'hidden',
    connect: (options) => connectWidgetSocket({ ...options, realtimeUrl: config.realtimeUrl }),
  });

  while (root.firstChild) root.removeChild(root.firstChild);
  appendStyle(root, LAUNCHER_CSS + PANEL_CSS, nonce);
  const container = doc.createElement('div');
  root.appendChild(container);

  if (isOpen) controller.open();
  controller.start();
  render(<Widget store={store} controller={controller} focusOnMount={focusInput} />, container);

  const onVisibilityChange = () => {
    if (doc.visibilityState === 'visible') controller.onPageVisible();
  };
  doc.addEventListener('visibilitychange', onVisibilityChange);

  return {
    open: controller.open,
    close: controller.close,
    toggle: controller.toggle,
    destroy() {
      doc.removeEventListener('visibilitychange', onVisibilityChange);
      controller.destroy();
      render(null, container);
    },
  };
}
