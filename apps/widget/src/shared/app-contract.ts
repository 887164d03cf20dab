import type { TWidgetConfig } from './parse-config.js';

/** Global through which the lazily loaded app hands itself to the loader (both are separate IIFE bundles). */
export const APP_GLOBAL = '__pocketpingApp';

export interface TMountOptions {
  /** The open shadow root of `#pocketping-root`; the app replaces what the loader put there. */
  root: ShadowRoot;
  config: TWidgetConfig;
  isOpen: boolean;
  /** Move focus into the composer: true when the visitor (or the page, via open()) asked for the chat. */
  focusInput: boolean;
  /** CSP nonce of the loader's own script tag, reused for the <style> element. */
  nonce: string | undefined;
}

export interface TAppController {
  open(): void;
  close(): void;
  toggle(): void;
  destroy(): void;
}

export interface TAppModule {
  mount(options: TMountOptions): TAppController;
}

export interface TInitOptions {
  projectKey: string;
  realtimeUrl?: string;
}

/** `window.PocketPing`, the public API of the snippet. */
export interface TPocketPingApi {
  init(options: TInitOptions): void;
  open(): void;
  close(): void;
  toggle(): void;
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
