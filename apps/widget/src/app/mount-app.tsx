import { render } from 'preact';
import type { TAppController, TMountOptions } from '../shared/app-contract.js';
import { appendStyle } from '../shared/shadow-host.js';
import { createBrowserStore, storageKeys } from '../shared/storage.js';
import { connectWidgetSocket } from '../transport/connect-widget-socket.js';
import { BUILT_IN } from '../ui/built-in-strings.js';
import { LANG_GLOBAL } from '../ui/i18n.js';
import type { TLanguage, TStrings } from '../ui/i18n.js';
import { PANEL_CSS } from '../ui/styles.js';
import { EXTRAS_GLOBAL } from '../extras/contract.js';
import type { TExtras } from '../extras/contract.js';
import { Widget } from '../ui/widget.js';
import { createStore } from './create-store.js';
import { initialState } from './initial-state.js';
import { createWidgetController } from './widget-controller.js';
import type { TWidgetState } from './widget-state.js';

/** Language packs that have registered themselves (lang-xx.js calls window.__pocketpingLang). */
const packs: Partial<Record<TLanguage, TStrings>> = { [BUILT_IN.language]: BUILT_IN.strings };

/** Takes over the shadow root the loader prepared, connects, and renders the chat. */
export function mountApp({
  root,
  config,
  language,
  isOpen,
  focusInput,
  nonce,
  notify,
  identity,
  events,
  loadAsset,
  visitorContext,
}: TMountOptions): TAppController {
  window[LANG_GLOBAL] = (language, strings) => void (packs[language] = strings);
  const loadStrings = async (language: TLanguage): Promise<TStrings> => {
    if (!packs[language]) await loadAsset(`lang-${language}.js`);
    return packs[language] ?? BUILT_IN.strings;
  };
  const local = createBrowserStore('localStorage');
  const session = createBrowserStore('sessionStorage');
  const keys = storageKeys(config.projectKey);
  let extras: Promise<TExtras> | null = null;
  const loadExtras = () =>
    (extras ??= loadAsset('extras.js').then(() => {
      const module = window[EXTRAS_GLOBAL];
      if (!module) throw new Error('extras.js did not register');
      appendStyle(root, module.css, nonce);
      store.set({ extras: module });
      return module;
    })).catch((err: unknown) => {
      extras = null;
      throw err;
    });
  const store = createStore<TWidgetState>(initialState(local, keys, language));
  const doc = root.ownerDocument;
  const controller = createWidgetController({
    config,
    visitorContext,
    store,
    local,
    session,
    notify,
    loadStrings,
    textsLanguage: BUILT_IN.language,
    isPageVisible: () => doc.visibilityState !== 'hidden',
    connect: (options) => connectWidgetSocket({ ...options, realtimeUrl: config.realtimeUrl }),
    loadExtras,
  });

  // The loader's launcher goes (Preact draws its own), its <style> stays: the launcher CSS is not shipped twice.
  for (const child of Array.from(root.children)) if (child.tagName !== 'STYLE') child.remove();
  appendStyle(root, PANEL_CSS, nonce);
  const container = doc.createElement('div');
  root.appendChild(container);

  if (identity) controller.identify(identity);
  for (const [name, data] of events) controller.track(name, data);
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
    identify: controller.identify,
    trigger: controller.track,
    pages: controller.reportPages,
    destroy() {
      doc.removeEventListener('visibilitychange', onVisibilityChange);
      controller.destroy();
      render(null, container);
    },
  };
}
