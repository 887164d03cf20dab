// Entry of dist/loader.js, the script the customer's snippet loads. It stays tiny: it installs
// window.PocketPing, draws the launcher in a shadow root, and fetches the chat (app.js) only when the visitor
// opens it or has a conversation to resume.
import type { TPageVisit } from '@pocketping/protocol';
import { APP_GLOBAL } from './shared/app-contract.js';
import type {
  TAppController,
  TAppModule,
  TIdentifyInput,
  TInitOptions,
  TPocketPingApi,
  TPocketPingStub,
  TPublicEvent,
  TVisitorContext,
} from './shared/app-contract.js';
import { parseAppearance, readableTextColor, sanitizeAppearance } from './shared/appearance.js';
import { APP_FILES, LAZY_ASSETS, resolveAssetUrl } from './shared/app-url.js';
import type { TLazyAsset } from './shared/app-url.js';
import { parseWidgetConfig, readSnippetAttributes } from './shared/parse-config.js';
import type { TWidgetConfig } from './shared/parse-config.js';
import { appendStyle, applyTheme, createShadowHost } from './shared/shadow-host.js';
import { readStorage, storageKeys, writeStorage } from './shared/storage.js';
import { DEFAULT_SETTINGS, PAGE_URL_MAX, PAGES_KEPT, WIDGET_BOOT_PATH } from './transport/protocol.js';
import { CHAT_ICON } from './ui/icons.js';
import { OPEN_CHAT_LABELS, pickLanguage } from './ui/i18n.js';
import type { TLanguage } from './ui/i18n.js';
import { LAUNCHER_CSS } from './ui/styles.js';
import { PREVIEW_CSS, createPreviewBubble } from './preview-bubble.js';

/** Content hash of app.js, injected by build.mjs; also the cache-buster of the app URL. */
declare const __POCKETPING_APP_VERSION__: string;

type TCommand = 'init' | 'open' | 'close' | 'toggle' | 'identify' | 'trigger' | 'on' | 'off' | 'destroy';
type TListener = (data?: unknown) => void;

/** Custom events kept until the chat is loaded; beyond this the oldest go. */
const MAX_PENDING_EVENTS = 20;

interface TInstance {
  config: TWidgetConfig;
  root: ShadowRoot | null;
  host: HTMLElement | null;
  launcher: HTMLButtonElement | null;
  app: TAppController | null;
  isLoading: boolean;
  wantOpen: boolean;
  focusInput: boolean;
  /** Picks the app build and the launcher's label. */
  language: TLanguage;
}

interface TTrustedTypes {
  createPolicy(
    name: string,
    rules: { createScriptURL(url: string): string },
  ): { createScriptURL(url: string): unknown };
}

const LOG_PREFIX = '[PocketPing]';
const VERSION = __POCKETPING_APP_VERSION__;

// document.currentScript is only set while this file runs synchronously, so capture it now.
const loaderScript = findLoaderScript();
const loaderSrc = loaderScript?.src || null;
const nonce = loaderScript?.nonce || undefined;

let instance: TInstance | null = null;
let openBeforeInit: boolean | null = null;
let appModule: Promise<TAppModule> | null = null;
let scriptUrlPolicy: { createScriptURL(url: string): unknown } | null = null;
/** identify()/trigger() before the app is loaded: handed over at mount (the app sends them once connected). */
let pendingIdentity: TIdentifyInput | null = null;
let pendingEvents: [string, Record<string, unknown> | undefined][] = [];
let isTrackingPages = false;
const listeners = new Map<TPublicEvent, Set<TListener>>();

/** Calls the page's listeners; a throwing listener is the page's bug and must not break the chat. */
function notify(event: TPublicEvent, data?: unknown) {
  for (const fn of Array.from(listeners.get(event) ?? [])) {
    try {
      fn(data);
    } catch (err) {
      console.error(`${LOG_PREFIX} a PocketPing.on('${event}') listener threw:`, err);
    }
  }
}

const api: TPocketPingApi = {
  version: VERSION,

  init(options: TInitOptions) {
    if (instance) {
      console.warn(`${LOG_PREFIX} init() was already called; call destroy() first to re-initialise`);
      return;
    }
    const parsed = parseWidgetConfig(options, loaderSrc);
    if (!parsed.ok) {
      console.error(`${LOG_PREFIX} ${parsed.error}`);
      return;
    }
    const keys = storageKeys(parsed.config.projectKey);
    const isRestoredOpen = readStorage('sessionStorage', keys.open) === '1';
    const inst: TInstance = {
      config: parsed.config,
      root: null,
      host: null,
      launcher: null,
      app: null,
      isLoading: false,
      language: guessLanguage(parsed.config.language, readStorage('localStorage', keys.appearance)),
      wantOpen: openBeforeInit ?? isRestoredOpen,
      focusInput: openBeforeInit === true,
    };
    instance = inst;
    openBeforeInit = null;
    trackPages();
    whenBodyReady(() => attach(inst));
  },

  open() {
    const inst = instance;
    if (!inst) {
      openBeforeInit = true;
      return;
    }
    if (inst.app) return inst.app.open();
    inst.wantOpen = true;
    inst.focusInput = true;
    if (inst.root) ensureApp(inst);
  },

  close() {
    const inst = instance;
    if (!inst) openBeforeInit = false;
    else if (inst.app) inst.app.close();
    else inst.wantOpen = false;
  },

  toggle() {
    const inst = instance;
    if (inst?.app) inst.app.toggle();
    else if (inst ? inst.wantOpen : openBeforeInit) api.close();
    else api.open();
  },

  identify(identity: TIdentifyInput) {
    if (instance?.app) instance.app.identify(identity);
    else pendingIdentity = identity;
  },

  trigger(name: string, data?: Record<string, unknown>) {
    if (instance?.app) return instance.app.trigger(name, data);
    pendingEvents.push([name, data]);
    if (pendingEvents.length > MAX_PENDING_EVENTS) pendingEvents.shift();
  },

  on(event: TPublicEvent, fn: TListener) {
    if (typeof fn !== 'function') return () => undefined;
    let set = listeners.get(event);
    if (!set) listeners.set(event, (set = new Set()));
    set.add(fn);
    return () => api.off(event, fn);
  },

  off(event: TPublicEvent, fn: TListener) {
    listeners.get(event)?.delete(fn);
  },

  destroy() {
    const inst = instance;
    instance = null;
    openBeforeInit = null;
    pendingIdentity = null;
    pendingEvents = [];
    listeners.clear();
    if (!inst) return;
    inst.app?.destroy();
    inst.host?.remove();
  },
};

install();

function install() {
  const previous = window.PocketPing as (TPocketPingStub & Partial<TPocketPingApi>) | undefined;
  // A second copy of the loader on the page must not reset the first one.
  if (previous && typeof previous.version === 'string') return;
  window.PocketPing = api;

  const queued = previous && Array.isArray(previous.q) ? previous.q.map((entry) => Array.from(entry)) : [];
  const snippet = loaderScript ? readSnippetAttributes(loaderScript) : null;
  // An explicit init() queued by the page wins over the data attributes.
  if (snippet && !queued.some((entry) => entry[0] === 'init')) api.init(snippet);
  for (const [name, ...args] of queued) {
    if (typeof name === 'string' && Object.prototype.hasOwnProperty.call(api, name) && name !== 'version') {
      (api[name as TCommand] as (...a: unknown[]) => void)(...args);
    }
  }
}

/**
 * The pages of this tab's session, for the operator's visitor context: the page at init, then every in-page
 * navigation (pushState, back/forward). Kept in sessionStorage (the newest PAGES_KEPT), so the chat sends them when
 * it connects — including the pages seen before it was ever opened — and gets each new one from here.
 */
function trackPages() {
  if (isTrackingPages) return;
  isTrackingPages = true;
  const record = () => {
    const inst = instance;
    if (!inst) return;
    // No fragment: it often carries app state.
    const url = location.href.split('#')[0]!.slice(0, PAGE_URL_MAX);
    const pages = readPages(inst);
    if (pages[pages.length - 1]?.[0] === url) return; // a reload, or a pushState to the same page
    pages.push([url, Date.now()]);
    writeStorage('sessionStorage', pagesKey(inst), JSON.stringify(pages.slice(-PAGES_KEPT)));
    inst.app?.pages();
  };
  record();
  const push = history.pushState;
  history.pushState = function (this: History, ...args: Parameters<History['pushState']>) {
    push.apply(this, args);
    record();
  };
  addEventListener('popstate', record);
}

/**
 * sessionStorage: this tab's pages, `[url, epoch ms][]` (the loader's alone: the app gets them through visitorContext).
 * A declaration, not a const: install() (above) records the first page before a const below it would exist.
 */
function pagesKey(inst: TInstance): string {
  return `pocketping:${inst.config.projectKey}:pages`;
}

/** What the chat's handshake tells about this browser (the operator's visitor card); the pages also on navigation. */
function visitorContext(inst: TInstance): TVisitorContext {
  const context: TVisitorContext = {
    // No fragment: it often carries app state.
    pageUrl: location.href.split('#')[0]!.slice(0, 2000),
    timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone,
    pages: readPages(inst),
    now: Date.now(),
  };
  if (document.referrer) context.referrer = document.referrer.slice(0, 2000);
  return context;
}

function readPages(inst: TInstance): TPageVisit[] {
  let list: unknown;
  try {
    list = JSON.parse(readStorage('sessionStorage', pagesKey(inst)) ?? '[]');
  } catch {
    // a broken list starts again
  }
  return Array.isArray(list) ? (list as TPageVisit[]) : [];
}

/** Init option, else the project's language cached by the last session ('auto' = none), else the browser's. */
function guessLanguage(option: TLanguage | undefined, cachedAppearance: string | null): TLanguage {
  let setting: unknown;
  try {
    setting = (JSON.parse(cachedAppearance ?? '{}') as { language?: unknown }).language;
  } catch {
    // a broken cache only loses the hint
  }
  return pickLanguage(
    [option, typeof setting === 'string' && setting !== 'auto' ? setting : undefined],
    navigator.languages ?? [navigator.language],
  );
}

function findLoaderScript(): HTMLScriptElement | null {
  const current = document.currentScript;
  if (current instanceof HTMLScriptElement) return current;
  // currentScript is null when a tag manager evaluates the code itself: fall back to the tag that looks like ours.
  const tags = document.querySelectorAll<HTMLScriptElement>('script[data-project-key],script[src*="loader.js"]');
  return tags[tags.length - 1] ?? null;
}

function whenBodyReady(fn: () => void) {
  if (document.body) fn();
  else document.addEventListener('DOMContentLoaded', fn, { once: true });
}

function attach(inst: TInstance) {
  if (instance !== inst) return; // destroyed before the body existed
  const { host, root } = createShadowHost(document);
  inst.host = host;
  inst.root = root;
  const keys = storageKeys(inst.config.projectKey);
  renderLauncher(inst, root, parseAppearance(readStorage('localStorage', keys.appearance), DEFAULT_SETTINGS));
  // A known conversation may hold unread replies: load the app now so the launcher can show them. Otherwise ask
  // the server for the project's current look (the app's handshake brings it when the app loads).
  if (inst.wantOpen || readStorage('localStorage', keys.conversation)) ensureApp(inst);
  else if (readStorage('sessionStorage', keys.booted) !== '1') boot(inst, keys);
}

/**
 * Once per browser session: GET /widget/boot → the owner's colour, side and language for the launcher (a first
 * visit otherwise shows the defaults until the chat is opened), and the server records the installation. Failures
 * are silent: the launcher keeps what it has, the next page tries again.
 */
function boot(inst: TInstance, keys: ReturnType<typeof storageKeys>) {
  fetch(`${inst.config.realtimeUrl}${WIDGET_BOOT_PATH}?key=${encodeURIComponent(inst.config.projectKey)}`, {
    credentials: 'omit',
  })
    .then((r) => (r.ok ? (r.json() as Promise<{ appearance?: Record<string, unknown> }>) : null))
    .then((b) => {
      if (!b?.appearance || instance !== inst) return;
      const next = sanitizeAppearance(b.appearance, DEFAULT_SETTINGS);
      const cached = JSON.stringify({ ...next, language: b.appearance.language });
      writeStorage('localStorage', keys.appearance, cached);
      writeStorage('sessionStorage', keys.booted, '1');
      const wrap = inst.launcher?.parentElement;
      if (inst.app || !wrap || !inst.launcher) return; // the app draws its own launcher from the handshake
      wrap.className = `pp pp-${next.position}`;
      applyTheme(wrap, next.color, readableTextColor(next.color));
      inst.language = guessLanguage(inst.config.language, cached);
      inst.launcher.setAttribute('aria-label', OPEN_CHAT_LABELS[inst.language]);
    })
    .catch(() => undefined);
}

/** The placeholder launcher, in plain DOM; the app replaces it with an identical one when it mounts. */
function renderLauncher(inst: TInstance, root: ShadowRoot, appearance: { color: string; position: 'left' | 'right' }) {
  appendStyle(root, LAUNCHER_CSS, nonce);
  const wrap = document.createElement('div');
  wrap.className = `pp pp-${appearance.position}`;
  wrap.setAttribute('data-pp', 'root');
  applyTheme(wrap, appearance.color, readableTextColor(appearance.color));
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'pp-launcher';
  button.setAttribute('data-pp', 'launcher');
  button.setAttribute('aria-label', OPEN_CHAT_LABELS[inst.language]);
  button.setAttribute('aria-expanded', 'false');
  button.appendChild(svgIcon(CHAT_ICON));
  button.addEventListener('click', () => api.open());
  wrap.appendChild(button);
  root.appendChild(wrap);
  inst.launcher = button;
}

function svgIcon(d: string): SVGSVGElement {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  const path = document.createElementNS(ns, 'path');
  path.setAttribute('d', d);
  svg.appendChild(path);
  return svg;
}

function ensureApp(inst: TInstance) {
  if (inst.app || inst.isLoading || !inst.root) return;
  const root = inst.root;
  inst.isLoading = true;
  inst.launcher?.setAttribute('aria-busy', 'true');
  loadAppModule(APP_FILES[inst.language])
    .then((mod) => {
      inst.isLoading = false;
      if (instance !== inst) return; // destroyed while loading
      appendStyle(root, PREVIEW_CSS, nonce);
      const bubble = createPreviewBubble({
        root,
        isOpen: inst.wantOpen,
        language: () => inst.language,
        onOpen: () => api.open(),
      });
      inst.app = mod.mount({
        root,
        config: inst.config,
        language: inst.language,
        isOpen: inst.wantOpen,
        focusInput: inst.focusInput,
        nonce,
        notify(event, data) {
          bubble.onEvent(event, data);
          notify(event, data);
        },
        identity: pendingIdentity,
        events: pendingEvents,
        loadAsset,
        visitorContext: () => visitorContext(inst),
      });
      pendingIdentity = null;
      pendingEvents = [];
      inst.launcher = null;
    })
    .catch((err: unknown) => {
      inst.isLoading = false;
      inst.launcher?.removeAttribute('aria-busy');
      console.error(`${LOG_PREFIX} could not start the chat:`, err);
    });
}

/** Loads app.js once; a failed load is forgotten so the next click tries again. */
function loadAppModule(file: string): Promise<TAppModule> {
  if (appModule) return appModule;
  const promise = (window[APP_GLOBAL] ? Promise.resolve() : insertScript(file)).then(() => {
    const mod = window[APP_GLOBAL];
    if (!mod) throw new Error(`${file} did not register the app`);
    return mod;
  });
  appModule = promise;
  promise.catch(() => {
    if (appModule === promise) appModule = null;
  });
  return promise;
}

/**
 * What the app may load through us (language packs, extras.js): our nonce and Trusted Types policy cover them. A
 * failed fetch (a network blip) is tried twice more, 1 s and 2 s later: the form or texts it was for are still due.
 */
function loadAsset(file: TLazyAsset, attempt = 0): Promise<void> {
  if (!LAZY_ASSETS.includes(file)) return Promise.reject(new Error(`unknown asset ${String(file)}`));
  return insertScript(file).catch((err: unknown) =>
    attempt < 2
      ? new Promise((retry) => setTimeout(retry, 1000 << attempt)).then(() => loadAsset(file, attempt + 1))
      : Promise.reject(err),
  );
}

function insertScript(file: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (!loaderSrc) return reject(new Error(`${file} cannot be located: the loader script has no src`));
    const url = resolveAssetUrl(loaderSrc, file, VERSION);
    const tag = document.createElement('script');
    tag.async = true;
    if (nonce) tag.nonce = nonce; // passes a nonce-based script-src ('strict-dynamic' allows it anyway)
    setScriptSrc(tag, url);
    tag.addEventListener('load', () => resolve());
    tag.addEventListener('error', () => {
      tag.remove();
      reject(new Error(`failed to load ${url}`));
    });
    document.head.appendChild(tag);
  });
}

/**
 * Pages enforcing Trusted Types reject plain strings as script URLs. A `pocketping` policy that only ever
 * vouches for our own files (app.js, language packs) covers them (the page must list it in its `trusted-types` directive).
 */
function setScriptSrc(tag: HTMLScriptElement, url: string) {
  const trustedTypes = (window as { trustedTypes?: TTrustedTypes }).trustedTypes;
  if (trustedTypes) {
    try {
      scriptUrlPolicy ??= trustedTypes.createPolicy('pocketping', {
        createScriptURL(value) {
          const src = loaderSrc;
          if (
            !src ||
            ![...Object.values(APP_FILES), ...LAZY_ASSETS].some((file) => value === resolveAssetUrl(src, file, VERSION))
          )
            throw new TypeError('unexpected script URL');
          return value;
        },
      });
      tag.src = scriptUrlPolicy.createScriptURL(url) as string;
      return;
    } catch {
      // policy not allowed by the page: fall back to a plain string, which works when TT is not enforced
    }
  }
  tag.src = url;
}
