// Runs the fake Telegram Bot API as a long-lived local process for the demo (`npm start`, no internet needed):
//
//   tsx packages/testkit/src/serve-fake-telegram.ts --port 8081 --state .data/fake-telegram.json --bot <token> --chat <chatId>
//
// It registers the bot (@pocketping_demo_bot) and a forum supergroup where the bot is an admin allowed to manage
// topics, serves the operator console at http://127.0.0.1:<port>/ and `GET /health`, and keeps its state (bots,
// chats, topics, messages, webhooks, counters) in the --state JSON file so a restart loses nothing.
// Local demo tool only: it binds 127.0.0.1 and trusts whoever can reach that.
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startFakeTelegram } from './fake-telegram.js';
import type { TFakeTelegram, TFakeTelegramState } from './fake-telegram.js';
import { DEFAULT_CONSOLE_OPERATOR, operatorConsole } from './fake-telegram-console.js';

const BOT_USERNAME = 'pocketping_demo_bot';
const BOT_FIRST_NAME = 'PocketPing Demo';
const CHAT_TITLE = 'PocketPing demo support';
const SAVE_DELAY_MS = 100;

const USAGE = `usage: tsx packages/testkit/src/serve-fake-telegram.ts --bot <token> --chat <chatId> [--port 8081] [--state <file.json>]

  --bot    bot token to register, e.g. 123456789:AAH... (<digits>:<letters, digits, _ or ->)
  --chat   id of the forum supergroup to create, e.g. -1001234567890
  --port   port on 127.0.0.1 (default 8081; 0 picks a free one)
  --state  JSON file that keeps the fake's state across restarts (omit it to keep everything in memory)`;

class UsageError extends Error {}

interface TServeArgs {
  port: number;
  statePath?: string;
  token: string;
  chatId: number;
}

const VALUE_OPTIONS = new Set(['--port', '--state', '--bot', '--chat']);

/**
 * parseArgs refuses `--chat -1001234567890` (a value that starts with a dash looks like an option to it), yet
 * supergroup ids are negative: glue such a value to its option (`--chat=-100…`) unless it is itself an option.
 */
function attachValues(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const next = argv[i + 1];
    if (VALUE_OPTIONS.has(arg) && next !== undefined && /^-[^-]/.test(next)) {
      out.push(`${arg}=${next}`);
      i++;
    } else out.push(arg);
  }
  return out;
}

function parseCli(argv: string[]): TServeArgs | 'help' {
  let values: { port?: string; state?: string; bot?: string; chat?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: attachValues(argv),
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: 'string', default: '8081' },
        state: { type: 'string' },
        bot: { type: 'string' },
        chat: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  if (values.help) return 'help';

  const portText = (values.port ?? '').trim();
  const port = /^\d{1,5}$/.test(portText) ? Number(portText) : Number.NaN;
  if (!(port >= 0 && port <= 65535))
    throw new UsageError(`--port must be an integer between 0 and 65535 (got "${values.port ?? ''}")`);

  const token = values.bot?.trim();
  if (!token) throw new UsageError('--bot <token> is required');
  if (!/^\d{1,20}:[A-Za-z0-9_-]{1,200}$/.test(token)) {
    throw new UsageError(
      '--bot must look like a Telegram bot token: <bot id digits>:<letters, digits, _ or -> (e.g. 123456789:AAHdemo_token)',
    );
  }

  const chatText = values.chat?.trim();
  if (!chatText) throw new UsageError('--chat <chatId> is required');
  const chatId = /^-100\d{1,13}$/.test(chatText) ? Number(chatText) : Number.NaN;
  if (!Number.isSafeInteger(chatId)) {
    throw new UsageError(
      `--chat must be a supergroup id: -100 followed by digits, e.g. -1001234567890 (got "${values.chat ?? ''}")`,
    );
  }

  if (values.state !== undefined && values.state.trim() === '') throw new UsageError('--state needs a file path');
  const args: TServeArgs = { port, token, chatId };
  if (values.state !== undefined) args.statePath = path.resolve(values.state);
  return args;
}

/** undefined when there is no file yet; throws a message that tells the user what to do otherwise. */
function readState(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`cannot read the state file ${file}: ${(err as Error).message}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new Error(
      `the state file ${file} is not valid JSON (${(err as Error).message}); fix it or delete it to start fresh`,
    );
  }
}

/** Writes through a temp file + fsync + rename, so a crash leaves either the old or the new file, never half of one. */
function writeAtomically(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    const fd = openSync(tmp, 'w', 0o600);
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

/**
 * Saves at most every SAVE_DELAY_MS: the first change after a save schedules one, later changes ride along, so a
 * burst of API calls costs one write and a steady stream still saves about ten times a second.
 */
function createSaver(file: string, snapshot: () => TFakeTelegramState): { schedule(): void; flush(): void } {
  let timer: NodeJS.Timeout | undefined;
  let dirty = false;
  let failing = false;
  const save = (): void => {
    timer = undefined;
    if (!dirty) return;
    dirty = false;
    try {
      writeAtomically(file, `${JSON.stringify(snapshot(), null, 1)}\n`);
      if (failing) console.error(`fake Telegram: state saved to ${file} again`);
      failing = false;
    } catch (err) {
      // Keep serving; retry on the next change (and at exit) rather than crash the demo.
      dirty = true;
      if (!failing) console.error(`fake Telegram: could not save state to ${file}: ${(err as Error).message}`);
      failing = true;
    }
  };
  return {
    schedule() {
      dirty = true;
      timer ??= setTimeout(save, SAVE_DELAY_MS);
    },
    flush() {
      if (timer) clearTimeout(timer);
      save();
    },
  };
}

async function main(): Promise<void> {
  let args: TServeArgs | 'help';
  try {
    args = parseCli(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`fake Telegram: ${err.message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (args === 'help') {
    console.log(USAGE);
    return;
  }
  const { port, statePath, token, chatId } = args;

  let initialState: unknown;
  if (statePath) {
    try {
      mkdirSync(path.dirname(statePath), { recursive: true });
      initialState = readState(statePath);
    } catch (err) {
      console.error(`fake Telegram: ${(err as Error).message}`);
      process.exit(1);
    }
  }

  let fake: TFakeTelegram | undefined;
  let saver: ReturnType<typeof createSaver> | undefined;
  try {
    fake = await startFakeTelegram({
      port,
      ...(initialState !== undefined ? { initialState } : {}),
      onChange: () => saver?.schedule(),
      extraRoutes: operatorConsole({ token, chatId, botUsername: BOT_USERNAME, operator: DEFAULT_CONSOLE_OPERATOR }),
    });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'EADDRINUSE')
      console.error(
        `fake Telegram: port ${port} on 127.0.0.1 is already in use (another fake Telegram still running?)`,
      );
    else if (e.code === 'EACCES') console.error(`fake Telegram: not allowed to listen on port ${port}`);
    else if (initialState !== undefined && e.message.startsWith('fake-telegram: invalid state')) {
      console.error(
        `fake Telegram: cannot restore ${statePath}: ${e.message.replace(/^fake-telegram: /, '')}; fix it or delete it to start fresh`,
      );
    } else console.error(`fake Telegram: failed to start: ${e.message}`);
    process.exit(1);
  }
  const server = fake;
  if (statePath) saver = createSaver(statePath, () => server.exportState());

  // Registered once; after a restart they come back from the state file with their topics, history and webhook.
  server.addBot(token, { username: BOT_USERNAME, firstName: BOT_FIRST_NAME });
  const restored = (initialState as TFakeTelegramState | undefined)?.chats.some((c) => c.id === chatId) ?? false;
  if (!restored)
    server.addForumChat({ id: chatId, title: CHAT_TITLE, isForum: true, botIsAdmin: true, canManageTopics: true });
  saver?.schedule();

  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    // Deferred one turn: under `tsx` the parent process relays a SIGTERM it receives and force-kills this process
    // unless it hears back within ~30 ms; tsx's own listener answers first, and this lets that answer go out
    // before the (synchronous) save. Even a forced kill loses at most the last SAVE_DELAY_MS of changes.
    setImmediate(() => {
      // Save what we have first, so even a hung close cannot lose it; then again once requests have drained.
      saver?.flush();
      const hardStop = setTimeout(() => process.exit(0), 2000);
      hardStop.unref();
      void server
        .close()
        .catch((err: unknown) =>
          console.error(`fake Telegram: error while closing (${signal}): ${(err as Error).message}`),
        )
        .finally(() => {
          saver?.flush();
          process.exit(0);
        });
    });
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  const base = `http://127.0.0.1:${server.port}`;
  console.log(`fake Telegram listening on ${base} (console: ${base}/)`);
}

await main();
