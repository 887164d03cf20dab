// The controller's contract with mount-app (its dependencies) and with the UI (what a click can ask of it). Kept
// apart from the modules that implement it so they can all name it without a circle.
import type { TExtras } from '../../extras/contract.js';
import type { TIdentifyInput, TMountOptions, TPublicEvent } from '../../shared/app-contract.js';
import type { TWidgetConfig } from '../../shared/parse-config.js';
import type { TKeyValueStore } from '../../shared/storage.js';
import type { TConnectTransport, TWidgetTransport } from '../../transport/connect-widget-socket.js';
import type { TUploadHandle, TUploadOptions } from '../../transport/upload-file.js';
import type { TLanguage, TStrings } from '../../ui/i18n.js';
import type { TStore } from '../create-store.js';
import type { TPreChatAnswers } from '../form-types.js';
import type { TWidgetState } from '../widget-state.js';

export interface TWidgetControllerDeps {
  config: TWidgetConfig;
  store: TStore<TWidgetState>;
  /** localStorage (visitor token, conversation marker, read position, appearance, email/pre-chat flags). */
  local: TKeyValueStore;
  /** sessionStorage (panel open in this tab). */
  session: TKeyValueStore;
  connect: TConnectTransport;
  isPageVisible: () => boolean;
  /** Posts a file to the upload endpoint (default: the XHR uploader of extras.js; tests give their own). */
  upload?: (options: Omit<TUploadOptions, 'realtimeUrl'>) => TUploadHandle;
  /** Tells the page (`PocketPing.on`) what happened. */
  notify?: (event: TPublicEvent, data?: unknown) => void;
  /** The browser's zone and this session's pages, from the loader (TMountOptions). */
  visitorContext?: TMountOptions['visitorContext'];
  /** Fetches extras.js (forms, upload) on first use. */
  loadExtras?: () => Promise<TExtras>;
  /** The texts of a language (a pack fetched on demand); English is always there. */
  loadStrings?: (language: TLanguage) => Promise<TStrings>;
  /** Language of the texts the store starts with (this build's built-in language). */
  textsLanguage?: TLanguage;
  createClientId?: () => string;
  now?: () => Date;
  ackTimeoutMs?: number;
  /** How long an operator's typing indicator stays without a refresh. */
  typingTimeoutMs?: number;
}

export interface TWidgetController {
  start(): void;
  /** Sends the session's pages again (the loader saw an in-page navigation). */
  reportPages(): void;
  open(): void;
  close(): void;
  toggle(): void;
  /** Returns false when there was nothing to send (empty, no file) or an upload is still running. */
  send(text: string): boolean;
  retry(clientId: string): void;
  /** The composer's text changed (drives the debounced `typing:update`). */
  onInput(text: string): void;
  /** The composer lost focus: typing is over. */
  onBlur(): void;
  addFiles(files: ArrayLike<File>): void;
  removeUpload(id: string): void;
  identify(identity: TIdentifyInput): void;
  track(name: string, data?: Record<string, unknown>): void;
  submitPreChat(answers: TPreChatAnswers): Promise<boolean>;
  /** "Not now" on the pre-chat card shown after the first message. */
  dismissPreChat(): void;
  submitAwayEmail(email: string): Promise<boolean>;
  submitCsat(score: number, comment: string): Promise<boolean>;
  /** Opens the emoji picker or the menu (loading extras.js, where they live); the same one again (or null) closes it. */
  tool(tool: 'emoji' | 'menu' | null): void;
  /** A plain request of extras.js's own (the transcript), as the server answers it. */
  request: TWidgetTransport['request'];
  /** A form is due: load extras.js if it is not there yet. */
  needExtras(): void;
  /** The tab became visible again: catch up on what was missed while it was throttled. */
  onPageVisible(): void;
  destroy(): void;
}
