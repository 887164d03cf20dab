import type { TPageVisit } from '@pocketping/protocol';
import type { TLazyAsset } from './app-url.js';
import type { TLanguage } from '../ui/i18n.js';
import type { TWidgetConfig } from './parse-config.js';

/** Global through which the lazily loaded app hands itself to the loader (both are separate IIFE bundles). */
export const APP_GLOBAL = '__pocketpingApp';

/** Events of `PocketPing.on(event, fn)`: the widget's own, or the name of an event the site's server sent. */
export type TPublicEvent = 'open' | 'close' | 'message' | 'unread' | (string & {});

/**
 * `PocketPing.identify()` input: the customer's user; keys other than id/email/name/hash/token become traits.
 * `token`: a JWT signed on the customer's server (verifies the fields it carries); `hash`: the id-only HMAC.
 */
export type TIdentifyInput = { id: string; email?: string; name?: string; hash?: string; token?: string } & Record<
  string,
  unknown
>;

export interface TVisitorContext {
  pageUrl?: string;
  referrer?: string;
  timeZone?: string;
  pages: TPageVisit[];
  now: number;
}

export interface TMountOptions {
  /** The open shadow root of `#pocketping-root`; the app replaces what the loader put there. */
  root: ShadowRoot;
  config: TWidgetConfig;
  /** The language the loader picked (and whose app build it loaded): init option, last known setting, browser. */
  language: TLanguage;
  isOpen: boolean;
  /** Move focus into the composer: true when the visitor (or the page, via open()) asked for the chat. */
  focusInput: boolean;
  /** CSP nonce of the loader's own script tag, reused for the <style> element. */
  nonce: string | undefined;
  /** Tells the page's `PocketPing.on()` listeners. */
  notify: (event: TPublicEvent, data?: unknown) => void;
  /** identify() / trigger() calls made before the app was loaded, in order. */
  identity: TIdentifyInput | null;
  events: readonly [string, Record<string, unknown> | undefined][];
  /** Loads another file of the build (a language pack) with the loader's nonce and Trusted Types policy. */
  loadAsset: (file: TLazyAsset) => Promise<void>;
  /**
   * The handshake's part about the visitor's browser: the page, the referrer, the time zone and this session's pages
   * (the loader records them); also sent on an in-page navigation.
   */
  visitorContext: () => TVisitorContext;
}

export interface TAppController {
  open(): void;
  close(): void;
  toggle(): void;
  identify(identity: TIdentifyInput): void;
  trigger(name: string, data?: Record<string, unknown>): void;
  /** The loader recorded a page of this session (sessionStorage): report it now. */
  pages(): void;
  destroy(): void;
}

export interface TAppModule {
  mount(options: TMountOptions): TAppController;
}

export interface TInitOptions {
  projectKey: string;
  realtimeUrl?: string;
  /** 'en' | 'fr' | 'de' | 'es': overrides the project's setting and the browser's language. */
  language?: string;
}

/** `window.PocketPing`, the public API of the snippet. */
export interface TPocketPingApi {
  init(options: TInitOptions): void;
  open(): void;
  close(): void;
  toggle(): void;
  identify(identity: TIdentifyInput): void;
  trigger(name: string, data?: Record<string, unknown>): void;
  /** Returns a function that removes the listener. */
  on(event: TPublicEvent, fn: (data?: unknown) => void): () => void;
  off(event: TPublicEvent, fn: (data?: unknown) => void): void;
  destroy(): void;
  readonly version: string;
}

/** What a page may have put in `window.PocketPing` before the loader ran: a stub that queues `[method, ...args]`. */
export interface TPocketPingStub {
  q?: ArrayLike<unknown>[];
  version?: unknown;
}

declare global {
  interface Window {
    PocketPing?: TPocketPingApi | TPocketPingStub;
    [APP_GLOBAL]?: TAppModule;
  }
}
