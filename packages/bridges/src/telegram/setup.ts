import { z } from 'zod';
import { AppError, randomToken, sha256, type TLogger } from '@pocketping/core';
import { isBridgeError } from '../bridge-error.js';
import type { TBridgesConfig } from '../config.js';
import { platformMessage, toSetupError } from '../setup-errors.js';
import { newLinkCode, newSetupId, ZSetupId } from '../setup-ids.js';
import {
  setupStep,
  type TChatAppSetup,
  type TSetupConnection,
  type TSetupConnectionCard,
  type TSetupPorts,
  type TSetupScope,
} from '../setup-ports.js';
import { ZTelegramCredentials } from './credentials.js';
import {
  createTelegramSetupClient,
  findLinkCommand,
  isTelegramBotToken,
  lastUpdateId,
  type TTelegramSetupClient,
} from './link-telegram.js';
import { createTelegramBridge } from './telegram-bridge.js';
import { isPollConflict, isWebhookConflict } from './updates-client.js';

/**
 * Telegram setup from the dashboard: 1) the admin pastes a bot token — checked with getMe, kept sealed in Redis
 * with a one-time code; 2) they add the bot to their forum group as an admin and send `/link CODE` there; 3) the
 * page polls `checkTelegramLink`, which reads the bot's updates itself (getUpdates, short poll, offset kept), finds
 * the code, checks the group (forum supergroup) and the bot's rights (admin, Manage topics), then stores the
 * connection the way the CLI bootstrap does ({botToken, webhookSecret} sealed, the secret's hash beside it),
 * registers the webhook when the public URL is https (else the worker long-polls), and says so in the group.
 */

export const TELEGRAM_LINK_TTL_SECONDS = 10 * 60;
const KIND = 'telegram';
/** How long one status poll may hold getUpdates open; the page polls again right after. */
const POLL_SECONDS = 1;

const ZPending = z.object({
  organizationId: z.string(),
  projectId: z.string(),
  userId: z.string(),
  sealedToken: z.string(),
  botId: z.number(),
  botUsername: z.string(),
  code: z.string(),
  offset: z.number().nullable(),
  /** The group the code was last seen in, re-checked on every poll until it passes (after the admin fixed it). */
  chatId: z.number().nullable(),
});
type TPending = z.infer<typeof ZPending>;

export type TTelegramLinkStatus =
  | { status: 'waiting'; expiresInSeconds: number }
  | {
      status: 'fix';
      problem: 'basic_group' | 'not_forum' | 'bot_not_admin' | 'no_topic_right' | 'not_a_group' | 'bot_in_use';
      message: string;
      expiresInSeconds: number;
    }
  | {
      status: 'linked';
      connection: TSetupConnectionCard;
      webhook: 'registered' | 'polling' | 'failed';
      warning?: string;
    };

const setupClient = (ports: TSetupPorts, botToken: string) =>
  createTelegramSetupClient({ apiRoot: ports.config.telegram.apiRoot }, botToken);
const botIdOf = (token: string) => Number(token.split(':')[0]);

/**
 * A bot serves one connection: its webhook (or the worker's poller) can only feed one, and reading its updates here
 * while it is live would take them from that connection. So a bot already connected anywhere is refused, with where.
 * Connections made here carry the bot id in targetScope; older ones (CLI bootstrap) are recognised by their token.
 */
async function assertBotFree(
  ports: TSetupPorts,
  organizationId: string,
  projectId: string,
  botId: number,
): Promise<void> {
  const byScope = await ports.connections.byScope({ kind: 'telegram', targetScope: String(botId) });
  let used: { organizationId: string; projectId: string } | null = byScope[0] ?? null;
  if (!used) {
    // System scan of the few connections without a bot id (made before the dashboard); each row keeps its tenant.
    const legacy = await ports.connections.telegramWithoutBotId(1000);
    const hit = legacy.find((c) => {
      try {
        return botIdOf(ZTelegramCredentials.parse(JSON.parse(ports.unseal(c.sealedCredentials))).botToken) === botId;
      } catch {
        return false;
      }
    });
    used = hit ? { organizationId: hit.organizationId, projectId: hit.projectId } : null;
  }
  if (!used) return;
  if (used.organizationId !== organizationId) {
    throw new AppError(
      'conflict',
      'This bot is already connected to a project of another organization. Create a new bot with @BotFather (/newbot) for this project, or disconnect it there first.',
    );
  }
  if (used.projectId === projectId) {
    throw new AppError(
      'conflict',
      'This bot is already connected to this project. To move it to another group, disconnect it above first; to fix a broken connection, fix the group and use "Send a test message".',
    );
  }
  const project = await ports.project(organizationId, used.projectId);
  throw new AppError(
    'conflict',
    `This bot is already connected to your project "${project?.name ?? 'another project'}". Use a separate bot per project (@BotFather → /newbot), or disconnect it there first.`,
  );
}

export async function startTelegramSetup(ports: TSetupPorts, input: TSetupScope & { botToken: string }) {
  const botToken = input.botToken.trim();
  if (!isTelegramBotToken(botToken)) {
    throw new AppError(
      'unprocessable',
      'That does not look like a bot token. It looks like "123456789:AA…" — copy it from @BotFather (/mybots → your bot → API Token).',
    );
  }
  const client = setupClient(ports, botToken);
  let me: { id: number; username: string };
  try {
    me = await client.getMe();
  } catch (err) {
    throw toSetupError(err, {
      unauthorized:
        'Telegram does not accept this token (it is mistyped or was revoked). Copy it again from @BotFather → /mybots → API Token.',
    });
  }
  await assertBotFree(ports, input.organizationId, input.projectId, me.id);
  const setupId = newSetupId();
  const code = newLinkCode();
  const pending: TPending = {
    organizationId: input.organizationId,
    projectId: input.projectId,
    userId: input.userId,
    sealedToken: ports.seal(botToken),
    botId: me.id,
    botUsername: me.username,
    code,
    offset: null,
    chatId: null,
  };
  await ports.pending.save(KIND, setupId, pending, TELEGRAM_LINK_TTL_SECONDS);
  return {
    setupId,
    code,
    bot: { id: me.id, username: me.username },
    expiresInSeconds: TELEGRAM_LINK_TTL_SECONDS,
    instructions: `Add @${me.username} to your forum group as an admin (with "Manage topics"), then send /link ${code} in the group.`,
  };
}

const fix = (
  problem: Extract<TTelegramLinkStatus, { status: 'fix' }>['problem'],
  message: string,
  ttl: number,
): TTelegramLinkStatus => ({ status: 'fix', problem, message, expiresInSeconds: ttl });

/** /link sent somewhere that can never be a forum group as it is. */
function wrongChatKind(p: TPending, seenType: string | null, ttl: number): TTelegramLinkStatus {
  if (seenType === 'group') {
    return fix(
      'basic_group',
      `This is a basic group. Turn on Topics (group settings → Topics), which upgrades it to a forum supergroup, then send /link ${p.code} there again.`,
      ttl,
    );
  }
  const where =
    seenType === 'private' ? 'a private chat with the bot' : seenType === 'channel' ? 'a channel' : 'that chat';
  return fix(
    'not_a_group',
    `Send /link ${p.code} in your support group (a forum group with Topics turned on), not in ${where}.`,
    ttl,
  );
}

/** The group and the bot's rights, in the order a person fixes them. Null when everything is right. */
async function checkGroup(
  client: TTelegramSetupClient,
  p: TPending,
  chatId: number,
  ttl: number,
): Promise<{ problem: TTelegramLinkStatus | null; title: string }> {
  const chat = await client.getChat(chatId);
  if (chat.type !== 'supergroup' || !chat.isForum) {
    return {
      problem: fix(
        'not_forum',
        `"${chat.title}" has Topics turned off. Enable Topics in the group settings (Edit → Topics), then wait a few seconds here.`,
        ttl,
      ),
      title: chat.title,
    };
  }
  const member = await client.getBotMember(chatId, p.botId);
  if (member.status !== 'administrator' && member.status !== 'creator') {
    return {
      problem: fix(
        'bot_not_admin',
        `@${p.botUsername} is in "${chat.title}" but not an admin. Make it an administrator (group → Administrators → Add Admin) with "Manage topics" on.`,
        ttl,
      ),
      title: chat.title,
    };
  }
  if (!member.canManageTopics) {
    return {
      problem: fix(
        'no_topic_right',
        `@${p.botUsername} is an admin of "${chat.title}" but cannot manage topics. Edit its admin rights and turn on "Manage topics".`,
        ttl,
      ),
      title: chat.title,
    };
  }
  return { problem: null, title: chat.title };
}

/**
 * One poll of the link status. Reads the bot's pending updates (Telegram keeps them while no webhook is set),
 * looks for the code, checks the group, and connects when everything is right.
 */
export async function checkTelegramLink(
  ports: TSetupPorts,
  input: { organizationId: string; projectId: string; setupId: string },
): Promise<TTelegramLinkStatus> {
  const loaded = await ports.pending.load(KIND, input.setupId, ZPending);
  // Another tenant's setup id gets the same answer as an expired one.
  if (!loaded || loaded.value.organizationId !== input.organizationId || loaded.value.projectId !== input.projectId) {
    throw new AppError('not_found', 'This link code expired. Paste the bot token again to get a new one.');
  }
  const result = await ports.pending.withLock(KIND, input.setupId, (POLL_SECONDS + 15) * 1000, async () => {
    const p = loaded.value;
    const ttl = loaded.ttlSeconds;
    const botToken = ports.unseal(p.sealedToken);
    const client = setupClient(ports, botToken);
    let updates: unknown[];
    try {
      updates = await client.getUpdates({
        ...(p.offset !== null ? { offset: p.offset } : {}),
        timeoutSeconds: POLL_SECONDS,
      });
    } catch (err) {
      // Someone else uses this bot (a webhook of another app, or another program polling it): reading its updates
      // here would take them from that program, so say so instead of fighting over them.
      if (isWebhookConflict(err)) {
        return fix(
          'bot_in_use',
          'This bot already sends its updates to another app (a webhook is set). Create a new bot with @BotFather for PocketPing, or remove that webhook first.',
          ttl,
        );
      }
      if (isPollConflict(err)) {
        return fix(
          'bot_in_use',
          "Another program is reading this bot's updates right now. Create a new bot with @BotFather for PocketPing, or stop that program first.",
          ttl,
        );
      }
      throw toSetupError(err, {
        unauthorized:
          'Telegram no longer accepts this bot token (it was revoked). Paste the new token from @BotFather.',
      });
    }
    const last = lastUpdateId(updates);
    const match = findLinkCommand(updates, { code: p.code, botUsername: p.botUsername });
    // Only a supergroup is remembered for re-checks: a basic group changes id when upgraded, a private chat never fits.
    const seen = match ? match.chatType : null;
    const chatId = match ? (seen === 'supergroup' ? match.chatId : null) : p.chatId;
    const next: TPending = { ...p, offset: last !== null ? last + 1 : p.offset, chatId };
    if (next.offset !== p.offset || next.chatId !== p.chatId) await ports.pending.update(KIND, input.setupId, next);
    if (match && seen !== 'supergroup') return wrongChatKind(next, seen, ttl);
    if (next.chatId === null) return { status: 'waiting', expiresInSeconds: ttl } satisfies TTelegramLinkStatus;

    let checked: Awaited<ReturnType<typeof checkGroup>>;
    try {
      checked = await checkGroup(client, next, next.chatId, ttl);
    } catch (err) {
      // A group upgraded to a supergroup changes id; the remembered one is then "not found": wait for a new /link.
      if (isBridgeError(err) && err.kind === 'target_gone') {
        await ports.pending.update(KIND, input.setupId, { ...next, chatId: null });
        return fix(
          'not_a_group',
          `The group changed (for example it was upgraded to a supergroup). Send /link ${p.code} in it again.`,
          ttl,
        );
      }
      if (isBridgeError(err) && err.kind === 'forbidden')
        return fix(
          'bot_not_admin',
          `@${p.botUsername} was removed from the group. Add it back as an admin, then send /link ${p.code} again.`,
          ttl,
        );
      throw toSetupError(err);
    }
    if (checked.problem) return checked.problem;
    const linked = await connect(ports, next, botToken, { id: next.chatId, title: checked.title }, client);
    await ports.pending.delete(KIND, input.setupId);
    return linked;
  });
  return result ?? { status: 'waiting', expiresInSeconds: loaded.ttlSeconds };
}

async function connect(
  ports: TSetupPorts,
  p: TPending,
  botToken: string,
  chat: { id: number; title: string },
  client: TTelegramSetupClient,
): Promise<TTelegramLinkStatus> {
  const chatId = chat.id;
  await assertBotFree(ports, p.organizationId, p.projectId, p.botId);
  const project = await ports.project(p.organizationId, p.projectId);
  if (!project) throw new AppError('not_found', 'Project not found.');
  const webhookSecret = randomToken('', 32);
  const sealedCredentials = ports.seal(JSON.stringify({ botToken, webhookSecret }));
  const target = {
    sealedCredentials,
    webhookSecretHash: sha256(webhookSecret),
    targetId: String(chatId),
    targetScope: String(botIdOf(botToken)),
  };
  const connectionId = (
    await ports.connections.create(p.organizationId, {
      projectId: project.id,
      kind: 'telegram',
      ...target,
      targetName: chat.title,
    })
  ).id;
  await ports.audit(p.organizationId, {
    actorType: 'user',
    actorId: p.userId,
    action: 'connection.telegram.link',
    targetType: 'bridge_connection',
    targetId: connectionId,
    metadata: { projectId: project.id, chatId: String(chatId), bot: p.botUsername },
  });

  let webhook: 'registered' | 'polling' | 'failed' = 'polling';
  let warning: string | undefined;
  const base = ports.webPublicUrl.replace(/\/$/, '');
  if (base.startsWith('https://')) {
    try {
      await createTelegramBridge(ports.config.telegram).registerWebhook?.(
        {
          connectionId,
          credentials: { botToken, webhookSecret },
          targetId: String(chatId),
          targetScope: target.targetScope,
        },
        { url: `${base}/api/webhooks/telegram/${connectionId}`, secret: webhookSecret },
      );
      webhook = 'registered';
    } catch (err) {
      webhook = 'failed';
      warning = `Connected, but Telegram refused the webhook: ${isBridgeError(err) ? platformMessage(err) : 'unknown error'}. Replies from Telegram will not arrive until this is fixed.`;
      await ports.connections.recordFailure(p.organizationId, connectionId, { error: warning });
      ports.log.warn(
        { organizationId: p.organizationId, connectionId, bridge: 'telegram', err },
        'telegram setWebhook failed at link',
      );
    }
  }
  try {
    await client.sendText(
      chatId,
      `Linked to ${project.name} ✅\nNew website conversations will appear here as topics. Reply in a topic to answer the visitor.`,
    );
  } catch (err) {
    ports.log.warn(
      { organizationId: p.organizationId, connectionId, bridge: 'telegram', err },
      'telegram link confirmation not sent',
    );
  }
  ports.log.info({ organizationId: p.organizationId, connectionId, bridge: 'telegram', webhook }, 'telegram linked');
  const card = await ports.connections.card(p.organizationId, project.id, connectionId);
  if (!card) throw new AppError('internal', 'Connection vanished after linking.');
  return { status: 'linked', connection: card, webhook, ...(warning ? { warning } : {}) };
}

/** The dashboard's Telegram setup: paste a bot token (→ a one-time /link code), then poll until the group is linked. */
export const telegramSetup: TChatAppSetup = {
  steps: {
    '': setupStep({
      method: 'POST',
      input: z.object({ botToken: z.string().min(1).max(200) }),
      rateLimit: { bucket: 'bridge-token', max: 30, windowSeconds: 600 },
      opensSetup: 'json',
      run: async (ports, scope, body) => ({
        json: await startTelegramSetup(ports, { ...scope, botToken: body.botToken }),
      }),
    }),
    status: setupStep({
      method: 'POST',
      input: z.object({ setupId: ZSetupId }),
      run: async (ports, scope, body) => ({
        json: await checkTelegramLink(ports, { ...scope, setupId: body.setupId }),
      }),
    }),
  },
  async postTestMessage(config: TBridgesConfig, connection: TSetupConnection, text: string) {
    const t = ZTelegramCredentials.parse(connection.credentials());
    await createTelegramSetupClient({ apiRoot: config.telegram.apiRoot }, t.botToken).sendText(
      Number(connection.targetId),
      text,
    );
  },
  async beforeDisconnect(config: TBridgesConfig, connection: TSetupConnection, log: TLogger) {
    if (!connection.webhookSecretHash) return;
    try {
      const t = ZTelegramCredentials.parse(connection.credentials());
      // Best effort: otherwise Telegram keeps posting to a URL that now answers 404.
      await createTelegramSetupClient({ apiRoot: config.telegram.apiRoot }, t.botToken).deleteWebhook();
    } catch (err) {
      log.warn(
        { organizationId: connection.organizationId, connectionId: connection.id, bridge: 'telegram', err },
        'deleteWebhook on disconnect failed',
      );
    }
  },
};
