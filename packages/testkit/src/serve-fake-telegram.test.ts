// The serve mode as `npm start` runs it: a real child process (tsx), driven with grammY's Api over HTTP, killed and
// restarted on the same state file, with its operator console used through HTTP like a browser would.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createServer, request } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { freePort } from './stack.js';
import { Api } from 'grammy';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, '../../..'); // /work/main
// As `npm start` runs it: one node process with tsx as a loader. (The `tsx` CLI would add a parent process that
// relays signals and force-kills the script if it does not answer within ~30 ms — a flake on a busy machine.)
const NODE_ARGS = ['--import', 'tsx'];
const SCRIPT = path.join(HERE, 'serve-fake-telegram.ts');
const TOKEN = '6200000001:AAHserveModeTokenForPocketPing_0123';
const CHAT_ID = -1001987654321;
const SECRET = 'demo_Secret-42';
const TITLE = 'Fake Telegram — operator console (local demo only)';

const children = new Set<ChildProcess>();
const tempDirs: string[] = [];

/** Each serve process gets its own process group (detached) and signals go to the whole group, as Ctrl-C does. */
function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

afterEach(() => {
  for (const child of children) signalGroup(child, 'SIGKILL'); // only if a test failed half-way
  children.clear();
});
afterAll(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'pp-fake-tg-'));
  tempDirs.push(dir);
  return dir;
}

interface TServed {
  apiRoot: string;
  stdout: () => string;
  stderr: () => string;
  /** Sends the signal and resolves with the exit code. */
  stop(signal: NodeJS.Signals): Promise<number | null>;
}

/** Starts the serve script and waits for its "listening" line. */
function serve(args: string[]): Promise<TServed> {
  const child = spawn(process.execPath, [...NODE_ARGS, SCRIPT, ...args], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  children.add(child);
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no "listening" line after 20 s\nstdout: ${out}\nstderr: ${err}`)),
      20_000,
    );
    const onData = (): void => {
      const m =
        /^fake Telegram listening on (http:\/\/127\.0\.0\.1:\d+) \(console: (http:\/\/127\.0\.0\.1:\d+)\/\)$/m.exec(
          out,
        );
      if (!m) return;
      clearTimeout(timer);
      child.stdout.off('data', onData);
      expect(m[2]).toBe(m[1]);
      resolve({
        apiRoot: m[1] ?? '',
        stdout: () => out,
        stderr: () => err,
        async stop(signal) {
          signalGroup(child, signal);
          const code = await exited;
          children.delete(child);
          return code;
        },
      });
    };
    child.stdout.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`serve script exited (${code}) before listening\nstdout: ${out}\nstderr: ${err}`));
    });
  });
}

/** Runs the serve script expecting it to exit by itself (bad arguments, bad state file). */
function runToExit(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [...NODE_ARGS, SCRIPT, ...args], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  children.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) =>
    child.once('exit', (code) => {
      children.delete(child);
      resolve({ code, stdout, stderr });
    }),
  );
}

async function startReceiver(): Promise<{
  url: string;
  hits: { headers: IncomingHttpHeaders; body: Record<string, unknown> }[];
  close(): Promise<void>;
}> {
  const hits: { headers: IncomingHttpHeaders; body: Record<string, unknown> }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      hits.push({
        headers: req.headers,
        body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>,
      });
      res.end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api/webhooks/telegram/demo`,
    hits,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

async function waitFor<T>(what: string, probe: () => T | undefined | false, ms = 5000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

type TStateFile = {
  chats: { id: number; topics: { threadId: number }[]; messages: { text?: string }[] }[];
  bots: { token: string; webhook?: { url: string } }[];
};
function readStateFile(file: string): TStateFile | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as TStateFile;
  } catch {
    return undefined;
  }
}

function postReply(
  apiRoot: string,
  threadId: number,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(`${apiRoot}/console/api/topics/${threadId}/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

type TConsoleMessage = {
  messageId: number;
  fromBot: boolean;
  sender: string;
  text: string;
  segments: { text: string; marks: string[]; href?: string }[];
};

describe('serve-fake-telegram (the local demo process)', () => {
  it('rejects bad arguments with a clear message and exit code 2', async () => {
    const badToken = await runToExit(['--bot', 'not-a-token', '--chat', '-1001234567890']);
    expect(badToken.code).toBe(2);
    expect(badToken.stderr).toContain('--bot must look like a Telegram bot token');
    expect(badToken.stderr).toContain('usage: tsx packages/testkit/src/serve-fake-telegram.ts');

    const [badChat, noBot, badPort] = await Promise.all([
      runToExit(['--bot', TOKEN, '--chat', '12345']),
      runToExit(['--chat', '-1001234567890']),
      runToExit(['--bot', TOKEN, '--chat', '-1001234567890', '--port', 'eighty']),
    ]);
    expect(badChat.code).toBe(2);
    expect(badChat.stderr).toContain('--chat must be a supergroup id');
    expect(noBot.stderr).toContain('--bot <token> is required');
    expect(badPort.stderr).toContain('--port must be an integer between 0 and 65535 (got "eighty")');
    expect(badToken.stdout + badChat.stdout).toBe('');
  });

  it('refuses a state file it cannot restore, saying how to recover', async () => {
    const dir = tempDir();
    const notJson = path.join(dir, 'broken.json');
    writeFileSync(notJson, '{"format": "pocketping-fake-telegram", "vers');
    const wrongShape = path.join(dir, 'wrong.json');
    writeFileSync(
      wrongShape,
      JSON.stringify({
        format: 'pocketping-fake-telegram',
        version: 1,
        counters: { nextBotId: 1, nextChatSeq: 1, nextFileSeq: 1 },
        bots: [{ token: 5 }],
        chats: [],
        files: [],
      }),
    );
    const [a, b] = await Promise.all([
      runToExit(['--port', '0', '--state', notJson, '--bot', TOKEN, '--chat', String(CHAT_ID)]),
      runToExit(['--port', '0', '--state', wrongShape, '--bot', TOKEN, '--chat', String(CHAT_ID)]),
    ]);
    expect(a.code).toBe(1);
    expect(a.stderr).toMatch(/state file .*broken\.json is not valid JSON .*delete it to start fresh/);
    expect(b.code).toBe(1);
    expect(b.stderr).toContain('invalid state: state.bots[0].token must be a string');
    expect(readFileSync(notJson, 'utf8')).toBe('{"format": "pocketping-fake-telegram", "vers'); // left untouched
  });

  it('keeps topics, history, counters and the webhook across a restart; the console writes as Sarah and renders hostile text inert', async () => {
    const dir = tempDir();
    const statePath = path.join(dir, '.data', 'fake-telegram.json'); // the folder does not exist yet
    const port = await freePort();
    const args = ['--port', String(port), '--state', statePath, '--bot', TOKEN, '--chat', String(CHAT_ID)];
    const receiver = await startReceiver();
    try {
      // --- first run: the bridge's view (grammY) ------------------------------------------------------------
      let fake = await serve(args);
      expect(fake.apiRoot).toBe(`http://127.0.0.1:${port}`);
      expect(fake.stdout()).toBe(
        `fake Telegram listening on http://127.0.0.1:${port} (console: http://127.0.0.1:${port}/)\n`,
      );

      const health = await fetch(`${fake.apiRoot}/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ ok: true });
      // /health is not a Bot API method and the Bot API still answers like Telegram next to it.
      expect(await (await fetch(`${fake.apiRoot}/bot${TOKEN}/health`)).json()).toEqual({
        ok: false,
        error_code: 404,
        description: 'Not Found',
      });
      expect((await fetch(`${fake.apiRoot}/health`, { method: 'POST' })).status).toBe(405);

      let api = new Api(TOKEN, { apiRoot: fake.apiRoot });
      const me = await api.getMe();
      expect(me).toMatchObject({ id: 6200000001, is_bot: true, username: 'pocketping_demo_bot' });
      expect(await api.getChat(CHAT_ID)).toMatchObject({ id: CHAT_ID, type: 'supergroup', is_forum: true });
      expect(await api.getChatMember(CHAT_ID, me.id)).toMatchObject({
        status: 'administrator',
        can_manage_topics: true,
      });

      expect(await api.setWebhook(receiver.url, { secret_token: SECRET })).toBe(true);
      const topic = await api.createForumTopic(CHAT_ID, 'Visitor <img src=x onerror=alert(1)> — pricing');
      const threadId = topic.message_thread_id;
      const opts = { message_thread_id: threadId };
      const formatted = await api.sendMessage(
        CHAT_ID,
        '<b>Visitor</b> wrote: <i>hi</i> <a href="https://example.com/?a=1&amp;b=2">docs</a> <code>x&lt;y</code>',
        { ...opts, parse_mode: 'HTML' },
      );
      const hostile = await api.sendMessage(CHAT_ID, '<script>alert(1)</script>', opts); // no parse_mode: literal text
      await api.sendMessage(CHAT_ID, '<a href="javascript:alert(1)">click me</a>', { ...opts, parse_mode: 'HTML' });
      expect(hostile.text).toBe('<script>alert(1)</script>');

      const first = await postReply(fake.apiRoot, threadId, { text: 'Hello from Sarah (1)' });
      expect(first.status).toBe(200);
      const firstBody = (await first.json()) as {
        ok: boolean;
        delivery: string;
        webhookStatus: number;
        updateId: number;
        messageId: number;
      };
      expect(firstBody).toMatchObject({ ok: true, delivery: 'webhook', webhookStatus: 200 });
      expect(receiver.hits).toHaveLength(1);

      // Saved within ~100 ms of the changes, atomically (no temp file left behind).
      await waitFor('the state file', () =>
        readStateFile(statePath)
          ?.chats.find((c) => c.id === CHAT_ID)
          ?.messages.some((m) => m.text === 'Hello from Sarah (1)'),
      );
      expect(readdirSync(path.dirname(statePath))).toEqual(['fake-telegram.json']);

      expect(await fake.stop('SIGTERM')).toBe(0);

      // --- second run on the same state file ----------------------------------------------------------------
      fake = await serve(args);
      api = new Api(TOKEN, { apiRoot: fake.apiRoot });
      expect(await api.getWebhookInfo()).toMatchObject({ url: receiver.url, pending_update_count: 0 });
      expect(await api.getMe()).toMatchObject({ username: 'pocketping_demo_bot' });

      const list = (await (await fetch(`${fake.apiRoot}/console/api/topics`)).json()) as {
        webhook: { url: string; hasSecret: boolean };
        topics: { threadId: number; name: string; messageCount: number }[];
      };
      expect(list.webhook).toEqual({ url: receiver.url, hasSecret: true });
      expect(list.topics).toEqual([
        expect.objectContaining({ threadId, name: 'Visitor <img src=x onerror=alert(1)> — pricing', messageCount: 4 }),
      ]);

      // Counters survived: a new topic and message get ids after the old ones, newest topic listed first.
      const second = await api.createForumTopic(CHAT_ID, 'Visitor #2');
      expect(second.message_thread_id).toBeGreaterThan(firstBody.messageId);
      const topicsNow = (await (await fetch(`${fake.apiRoot}/console/api/topics`)).json()) as {
        topics: { threadId: number }[];
      };
      expect(topicsNow.topics.map((t) => t.threadId)).toEqual([second.message_thread_id, threadId]);

      // Sarah answers from the console → the registered webhook gets a real Telegram update with the secret header.
      const reply = await postReply(fake.apiRoot, threadId, { text: 'Hi! Sarah here <b>not bold</b>' });
      const replyBody = (await reply.json()) as {
        ok: boolean;
        delivery: string;
        webhookStatus: number;
        updateId: number;
        messageId: number;
      };
      expect(replyBody).toMatchObject({
        ok: true,
        delivery: 'webhook',
        webhookStatus: 200,
        updateId: firstBody.updateId + 1,
      });
      expect(replyBody.messageId).toBeGreaterThan(second.message_thread_id);
      expect(receiver.hits).toHaveLength(2);
      const hit = receiver.hits[1]!;
      expect(hit.headers['x-telegram-bot-api-secret-token']).toBe(SECRET);
      expect(hit.body).toMatchObject({
        update_id: replyBody.updateId,
        message: {
          message_id: replyBody.messageId,
          from: { is_bot: false, first_name: 'Sarah' },
          chat: { id: CHAT_ID, type: 'supergroup', is_forum: true },
          message_thread_id: threadId,
          is_topic_message: true,
          text: 'Hi! Sarah here <b>not bold</b>',
        },
      });

      // The JSON API is data: raw text, nothing escaped; formatting comes as segments from the entities.
      const detail = (await (await fetch(`${fake.apiRoot}/console/api/topics/${threadId}`)).json()) as {
        messages: TConsoleMessage[];
      };
      expect(detail.messages.map((m) => m.text)).toEqual([
        'Visitor wrote: hi docs x<y',
        '<script>alert(1)</script>',
        'click me',
        'Hello from Sarah (1)',
        'Hi! Sarah here <b>not bold</b>',
      ]);
      expect(detail.messages[0]).toMatchObject({
        messageId: formatted.message_id,
        fromBot: true,
        sender: '@pocketping_demo_bot',
      });
      expect(detail.messages[0]!.segments).toContainEqual({
        text: 'docs',
        marks: [],
        href: 'https://example.com/?a=1&b=2',
      });
      expect(detail.messages[2]!.segments).toEqual([{ text: 'click me', marks: [] }]); // javascript: link dropped
      expect(detail.messages[4]).toMatchObject({ fromBot: false, sender: 'Sarah' });

      // --- the page: server-rendered, everything escaped, only the external script ------------------------
      const page = await fetch(`${fake.apiRoot}/?topic=${threadId}`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
      const html = await page.text();
      expect(html).toContain(`<title>${TITLE}</title>`);
      expect(html).toContain(`<h1>${TITLE}</h1>`);
      expect(html.match(/<script\b[^>]*>/gi)).toEqual(['<script src="/console.js" defer>']);
      expect(html).not.toContain('<script>alert(1)</script>');
      expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
      expect(html).not.toMatch(/<img/i);
      expect(html).toContain('Visitor &lt;img src=x onerror=alert(1)&gt; — pricing');
      expect(html).not.toMatch(/<[a-z][^>]*\son[a-z]+\s*=/i); // no inline event handlers
      expect(html).not.toMatch(/\sstyle\s*=/i);
      expect(html).not.toMatch(/href="javascript:/i);
      expect(html).toContain('Hi! Sarah here &lt;b&gt;not bold&lt;/b&gt;');
      expect(html).toContain(
        '<b>Visitor</b> wrote: <i>hi</i> <a href="https://example.com/?a=1&amp;b=2" target="_blank" rel="noopener noreferrer nofollow">docs</a> <code>x&lt;y</code>',
      );
      // Stable hooks for browser tests.
      expect(html).toContain(`data-tg="topic" data-thread-id="${threadId}" aria-current="true"`);
      expect(html).toContain(`data-tg="topic" data-thread-id="${second.message_thread_id}"`);
      expect(html.match(/data-tg="message"/g)).toHaveLength(5);
      expect(html).toContain('data-tg="reply-input"');
      expect(html).toContain('data-tg="reply-send"');
      // Newest topic first in the list.
      expect(html.indexOf(`data-thread-id="${second.message_thread_id}"`)).toBeLessThan(
        html.indexOf(`data-thread-id="${threadId}"`),
      );

      const js = await fetch(`${fake.apiRoot}/console.js`);
      expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
      const script = await js.text();
      expect(script).toContain("'/console/api/topics'");
      expect(script).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write/);
      expect((await fetch(`${fake.apiRoot}/console.css`)).headers.get('content-type')).toBe('text/css; charset=utf-8');

      // --- the write endpoint refuses what a browser on another site could send ------------------------------
      expect((await postReply(fake.apiRoot, threadId, { text: 'x' }, { origin: 'http://evil.test' })).status).toBe(403);
      expect(
        (await postReply(fake.apiRoot, threadId, 'text=x', { 'content-type': 'application/x-www-form-urlencoded' }))
          .status,
      ).toBe(415);
      expect((await postReply(fake.apiRoot, threadId, { text: '   ' })).status).toBe(400);
      expect((await postReply(fake.apiRoot, 999_999, { text: 'x' })).status).toBe(404);
      const rebound = await new Promise<number>((resolve, reject) => {
        const req = request(
          `${fake.apiRoot}/console/api/topics`,
          { headers: { host: `attacker.test:${port}` } },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.on('error', reject);
        req.end();
      });
      expect(rebound).toBe(421);
      expect(receiver.hits).toHaveLength(2);

      // SIGINT flushes right away: Sarah's last message is on disk when the process is gone.
      expect(await fake.stop('SIGINT')).toBe(0);
      const saved = readStateFile(statePath);
      expect(
        saved?.chats.find((c) => c.id === CHAT_ID)?.messages.some((m) => m.text === 'Hi! Sarah here <b>not bold</b>'),
      ).toBe(true);
      expect(saved?.bots.find((b) => b.token === TOKEN)?.webhook?.url).toBe(receiver.url);
      expect(fake.stderr()).toBe('');
    } finally {
      await receiver.close();
    }
  }, 90_000);
});
