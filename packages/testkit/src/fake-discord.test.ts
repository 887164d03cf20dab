import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  Client,
  DiscordAPIError,
  Events,
  GatewayIntentBits,
  REST,
  Routes,
  type GatewayDispatchPayload,
} from 'discord.js';
import { discordGuildIdOnShard, startFakeDiscord, type TFakeDiscord } from './fake-discord.js';
import { waitFor } from './stack.js';

// The fake is only worth something if discord.js itself accepts it: REST through `api`, the gateway through the
// URL from GET /gateway/bot, identify, heartbeats, resume with replay.
describe('fake Discord', () => {
  let fake: TFakeDiscord;
  let guildId: string;
  let channelId: string;
  const clients: Client[] = [];

  beforeEach(async () => {
    fake = await startFakeDiscord({ heartbeatIntervalMs: 500 });
    guildId = fake.addGuild({ name: 'Acme' }).id;
    channelId = fake.addTextChannel(guildId, { name: 'support' }).id;
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) await c.destroy();
    await fake.close();
  });

  const rest = (token = fake.token) => new REST({ api: fake.apiUrl }).setToken(token);
  const startClient = async (
    intents = [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent],
  ) => {
    const client = new Client({ intents, rest: { api: fake.apiUrl } });
    clients.push(client);
    const raw: GatewayDispatchPayload[] = [];
    client.on(Events.Raw, (p: GatewayDispatchPayload) => raw.push(p));
    const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
    await client.login(fake.token);
    await ready;
    return { client, raw };
  };

  it('answers REST like Discord: auth, thread without a starter message, nonce idempotency, error codes', async () => {
    await expect(rest('wrong').get(Routes.user('@me'))).rejects.toMatchObject({ status: 401 });
    const me = (await rest().get(Routes.user('@me'))) as { id: string; bot: boolean };
    expect(me).toMatchObject({ id: fake.bot.id, bot: true });

    const thread = (await rest().post(Routes.threads(channelId), {
      body: { name: 'Visitor', type: 11, auto_archive_duration: 10080 },
    })) as { id: string; parent_id: string; type: number };
    expect(thread).toMatchObject({ parent_id: channelId, type: 11 });
    const body = { content: 'hi @everyone', allowed_mentions: { parse: [] }, nonce: 'n-1', enforce_nonce: true };
    const a = (await rest().post(Routes.channelMessages(thread.id), { body })) as { id: string };
    const b = (await rest().post(Routes.channelMessages(thread.id), { body })) as { id: string };
    expect(b.id).toBe(a.id);
    expect(fake.messages(thread.id)).toHaveLength(1);
    expect(fake.messages(thread.id)[0]!.allowed_mentions).toEqual({ parse: [] });

    const tooLong = rest().post(Routes.channelMessages(thread.id), { body: { content: 'x'.repeat(2001) } });
    await expect(tooLong).rejects.toMatchObject({ code: 50035, status: 400 });
    await expect(rest().get(Routes.channel('1234567890123456789'))).rejects.toMatchObject({ code: 10003, status: 404 });

    // Trigger Typing Indicator: 204 with no body; needs the same right as posting there.
    await rest().post(Routes.channelTyping(thread.id));
    expect(fake.callsOf('POST /channels/:id/typing').map((c) => [c.path, c.status])).toEqual([
      [`/channels/${thread.id}/typing`, 204],
    ]);

    fake.removePermission(channelId, 'SendMessagesInThreads');
    await expect(rest().post(Routes.channelMessages(thread.id), { body: { content: 'x' } })).rejects.toMatchObject({
      code: 50013,
      status: 403,
    });
    await expect(rest().post(Routes.channelTyping(thread.id))).rejects.toMatchObject({ code: 50013, status: 403 });
    fake.kickBot(guildId);
    const err = await rest()
      .get(Routes.channel(channelId))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DiscordAPIError);
    expect(err).toMatchObject({ code: 50001, status: 403 });
  });

  it('a 429 carries retry_after, Retry-After and X-RateLimit-* and discord.js waits it out', async () => {
    fake.failNext('GET /users/@me', { status: 429, retryAfter: 0.2 });
    const started = Date.now();
    await rest().get(Routes.user('@me'));
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(fake.calls.filter((c) => c.route === 'GET /users/@me').map((c) => c.status)).toEqual([429, 200]);
  });

  it('a discord.js Client identifies with the intents, gets READY + GUILD_CREATE and MESSAGE_CREATE from a thread', async () => {
    const { client, raw } = await startClient();
    expect(fake.gateway.identifies).toBe(1);
    expect(fake.gateway.lastIdentify).toMatchObject({ intents: (1 << 0) | (1 << 9) | (1 << 15), token: '<redacted>' });
    expect(client.guilds.cache.get(guildId)?.name).toBe('Acme');
    const thread = (await rest().post(Routes.threads(channelId), { body: { name: 'T', type: 11 } })) as { id: string };
    await waitFor(() => client.channels.cache.get(thread.id), { what: 'THREAD_CREATE cached' });
    expect(client.channels.cache.get(thread.id)?.isThread()).toBe(true);
    const m = fake.operatorWrites({ guildId, threadId: thread.id, content: 'hello from Sarah' });
    const got = await waitFor(() => raw.find((p) => p.t === 'MESSAGE_CREATE' && p.d.id === m.id));
    expect(got.d).toMatchObject({
      channel_id: thread.id,
      guild_id: guildId,
      content: 'hello from Sarah',
      author: { username: 'sarah' },
    });
  });

  it('a dropped connection resumes and replays the dispatches it missed, once each', async () => {
    const { raw } = await startClient();
    const thread = (await rest().post(Routes.threads(channelId), { body: { name: 'T', type: 11 } })) as { id: string };
    fake.dropConnection();
    const missed = fake.operatorWrites({ guildId, threadId: thread.id, content: 'while you were away' });
    await waitFor(() => raw.find((p) => p.t === 'RESUMED'), { what: 'RESUMED', timeoutMs: 10_000 });
    expect(fake.gateway.resumes).toBe(1);
    expect(fake.gateway.identifies).toBe(1);
    expect(raw.filter((p) => p.t === 'MESSAGE_CREATE' && p.d.id === missed.id)).toHaveLength(1);
  });

  it('op 7 RECONNECT resumes; a non-resumable INVALID_SESSION identifies again', async () => {
    const { raw } = await startClient();
    fake.requestReconnect();
    await waitFor(() => fake.gateway.resumes === 1, { what: 'resume after op 7', timeoutMs: 10_000 });
    fake.invalidateSessions(false);
    // @discordjs/ws waits out the identify throttle (5 s per bucket) before identifying again.
    await waitFor(() => fake.gateway.identifies === 2, { what: 'identify after op 9', timeoutMs: 15_000 });
    await waitFor(() => raw.filter((p) => p.t === 'READY').length === 2, { timeoutMs: 5_000 });
  }, 30_000);

  it('refuses a wrong token (4004) and a privileged intent that is not enabled (4014)', async () => {
    const bad = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: fake.apiUrl } });
    clients.push(bad);
    await expect(bad.login('not-the-token')).rejects.toThrow();

    const strict = await startFakeDiscord({ messageContentIntent: false });
    try {
      const c = new Client({
        intents: [GatewayIntentBits.Guilds, GatewayIntentBits.MessageContent],
        rest: { api: strict.apiUrl },
      });
      clients.push(c);
      await expect(c.login(strict.token)).rejects.toThrow(/disallowed intents/i);
    } finally {
      await strict.close();
    }
  });

  it('shards like Discord: /gateway/bot recommends a count, IDENTIFY carries [id, count], a guild is on one shard', async () => {
    const sharded = await startFakeDiscord({ heartbeatIntervalMs: 500, shards: 2, maxConcurrency: 1 });
    try {
      const info = (await new REST({ api: sharded.apiUrl }).setToken(sharded.token).get(Routes.gatewayBot())) as {
        shards: number;
        session_start_limit: { max_concurrency: number; remaining: number };
      };
      expect(info).toMatchObject({ shards: 2, session_start_limit: { max_concurrency: 1 } });
      const guilds = [0, 1].map((shard) => sharded.addGuild({ id: discordGuildIdOnShard(shard, 2) }).id);
      const threads: string[] = [];
      for (const g of guilds) {
        const ch = sharded.addTextChannel(g).id;
        const rest = new REST({ api: sharded.apiUrl }).setToken(sharded.token);
        threads.push(((await rest.post(Routes.threads(ch), { body: { name: 'T', type: 11 } })) as { id: string }).id);
      }
      // One discord.js Client per shard, as the worker runs them.
      const raws = await Promise.all(
        [0, 1].map(async (shard) => {
          const client = new Client({
            intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent],
            rest: { api: sharded.apiUrl },
            shards: [shard],
            shardCount: 2,
          });
          clients.push(client);
          const raw: GatewayDispatchPayload[] = [];
          client.on(Events.Raw, (p: GatewayDispatchPayload) => raw.push(p));
          const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
          await client.login(sharded.token);
          await ready;
          return raw;
        }),
      );
      expect(sharded.gateway.identifyLog.map((i) => i.shard).sort()).toEqual([
        [0, 2],
        [1, 2],
      ]);
      for (const shard of [0, 1]) {
        const ready = raws[shard]!.find((p) => p.t === 'READY');
        expect(ready?.t === 'READY' && ready.d.shard).toEqual([shard, 2]);
        expect(ready?.t === 'READY' && ready.d.guilds.map((g) => g.id)).toEqual([guilds[shard]]);
      }
      const m0 = sharded.operatorWrites({ guildId: guilds[0]!, threadId: threads[0]!, content: 'on shard 0' });
      const m1 = sharded.operatorWrites({ guildId: guilds[1]!, threadId: threads[1]!, content: 'on shard 1' });
      const created = (raw: GatewayDispatchPayload[]) => raw.flatMap((p) => (p.t === 'MESSAGE_CREATE' ? [p.d.id] : []));
      await waitFor(() => created(raws[0]!).length + created(raws[1]!).length === 2, { what: 'both messages' });
      expect(created(raws[0]!)).toEqual([m0.id]);
      expect(created(raws[1]!)).toEqual([m1.id]);
      expect(
        sharded.gateway
          .liveSessions()
          .map((x) => x.shard[0])
          .sort(),
      ).toEqual([0, 1]);

      // A shard id outside the count is refused with 4010.
      const wrong = new Client({
        intents: [GatewayIntentBits.Guilds],
        rest: { api: sharded.apiUrl },
        shards: [3],
        shardCount: 2,
      });
      clients.push(wrong);
      await expect(wrong.login(sharded.token)).rejects.toThrow();
    } finally {
      await sharded.close();
    }
  }, 30_000);
});
