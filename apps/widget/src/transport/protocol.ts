// Runtime copies of the few protocol constants the widget needs. Importing *values* from @pocketping/protocol
// would drag zod into the browser bundle (its schemas are top-level calls that esbuild must keep), so the widget
// imports only types from it. The `typeof` annotations make `tsc` fail as soon as a copy drifts from the
// protocol package, and protocol.test.ts compares them at runtime too.
import type {
  LIMITS as TProtocolLimits,
  PAGE_URL_MAX as TProtocolPageUrlMax,
  VISITOR_PAGE_VIEWS_KEPT as TProtocolPagesKept,
  UPLOAD_LIMITS as TProtocolUploadLimits,
  TWidgetSettings,
  WIDGET_BOOT_PATH as TProtocolBootPath,
  WIDGET_NAMESPACE as TProtocolNamespace,
  WidgetEvents as TProtocolEvents,
} from '@pocketping/protocol';

export const WIDGET_NAMESPACE: typeof TProtocolNamespace = '/widget';

/** The loader's once-per-session GET (appearance + installation), see apps/realtime/src/http/boot-route.ts. */
export const WIDGET_BOOT_PATH: typeof TProtocolBootPath = '/widget/boot';

export const WidgetEvents: typeof TProtocolEvents = {
  session: 'session',
  message: 'message',
  typing: 'typing',
  receipt: 'receipt',
  conversation: 'conversation',
  presence: 'presence',
  aiStream: 'ai:stream',
  send: 'message:send',
  history: 'history',
  typingUpdate: 'typing:update',
  read: 'read',
  identify: 'identify',
  event: 'event',
  preChat: 'prechat',
  csat: 'csat',
  transcript: 'transcript',
  pages: 'pages',
};

/** The pages of a session the widget keeps and reports, and how long a page's URL may be. */
export const PAGES_KEPT: typeof TProtocolPagesKept = 20;
export const PAGE_URL_MAX: typeof TProtocolPageUrlMax = 500;

export const LIMITS: typeof TProtocolLimits = {
  messageBodyMax: 4000,
  clientIdMax: 64,
  historyPageMax: 100,
  authorNameMax: 120,
};

/** Largest file the upload endpoint takes (UPLOAD_LIMITS.maxBytes); checked before uploading. */
export const UPLOAD_MAX_BYTES: (typeof TProtocolUploadLimits)['maxBytes'] = 10 * 1024 * 1024;

/** The defaults of ZWidgetSettings, used until the server's `session` event arrives. */
export const DEFAULT_SETTINGS: TWidgetSettings = {
  color: '#2563eb',
  position: 'right',
  greeting: 'Hi! How can we help?',
  operatorName: 'Support',
  language: 'auto',
};

/** Bounds of ZWidgetAuth, checked before connecting so a typo in the snippet fails loudly in the console. */
export const PROJECT_KEY_MIN = 8;
export const PROJECT_KEY_MAX = 100;
export const VISITOR_TOKEN_MIN = 16;
export const VISITOR_TOKEN_MAX = 200;
