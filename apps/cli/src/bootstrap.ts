import { z } from 'zod';
import { envFields, parseKeyRing } from '@pocketping/core';
import { connectSlackWithToken, createBridgeRegistry, discordInstallLink, getBridge } from '@pocketping/bridges';
import { bootstrapTenant, createConnection, createDb } from '@pocketping/db';
import { encryptSecret } from '@pocketping/core';

const ZEnv = z.object({
  DATABASE_URL: envFields.DATABASE_URL,
  ENCRYPTION_KEY: envFields.ENCRYPTION_KEY,
  WEB_PUBLIC_URL: envFields.WEB_PUBLIC_URL,
  TELEGRAM_API_ROOT: envFields.TELEGRAM_API_ROOT,
  SLACK_API_URL: envFields.SLACK_API_URL,
  DISCORD_API_URL: envFields.DISCORD_API_URL,
  DISCORD_BOT_TOKEN: envFields.DISCORD_BOT_TOKEN,
  DISCORD_APPLICATION_ID: envFields.DISCORD_APPLICATION_ID,
});

const ZArgs = z.object({
  email: z.string({ error: '--email is required' }).email('--email must be an email address'),
  org: z.string({ error: '--org is required' }).min(1).max(100),
  project: z.string().min(1).max(100).optional(),
  origin: z.array(z.string().url('--origin must be a URL like https://example.com')).optional(),
  'telegram-token': z.string().optional(),
  'telegram-chat': z
    .string()
    .regex(/^-?\d+$/, '--telegram-chat must be a numeric chat id')
    .optional(),
  'discord-guild': z
    .string()
    .regex(/^\d{17,20}$/, '--discord-guild must be a server id (17–20 digits)')
    .optional(),
  'discord-channel': z
    .string()
    .regex(/^\d{17,20}$/, '--discord-channel must be a channel id (17–20 digits)')
    .optional(),
  'slack-token': z
    .string()
    .regex(/^xoxb-/, '--slack-token must be a bot token ("xoxb-…")')
    .optional(),
  'slack-channel': z
    .string()
    .regex(/^[CG][A-Z0-9]{2,30}$/, '--slack-channel must be a channel id ("C…")')
    .optional(),
  'skip-validation': z.boolean().optional(),
});

/** Prints the created records as JSON on stdout (the API key appears only here, once). */
export async function runBootstrap(source: NodeJS.ProcessEnv, rawArgs: unknown): Promise<number> {
  const env = ZEnv.safeParse(source);
  if (!env.success) {
    console.error(
      `configuration error:\n${env.error.issues.map((i) => `  - ${i.path.join('.')}: ${i.message}`).join('\n')}`,
    );
    return 78;
  }
  const args = ZArgs.safeParse(rawArgs);
  if (!args.success) {
    console.error(args.error.issues.map((i) => i.message).join('\n'));
    return 2;
  }
  const a = args.data;
  if (Boolean(a['telegram-token']) !== Boolean(a['telegram-chat'])) {
    console.error('--telegram-token and --telegram-chat go together');
    return 2;
  }
  if (Boolean(a['discord-guild']) !== Boolean(a['discord-channel'])) {
    console.error('--discord-guild and --discord-channel go together');
    return 2;
  }
  // Discord uses the server's one shared bot: without DISCORD_BOT_TOKEN there is nothing to connect.
  if (a['discord-guild'] && !env.data.DISCORD_BOT_TOKEN) {
    console.error(
      '--discord-guild needs DISCORD_BOT_TOKEN (and DISCORD_APPLICATION_ID for the install link) in the environment',
    );
    return 78;
  }
  if (Boolean(a['slack-token']) !== Boolean(a['slack-channel'])) {
    console.error('--slack-token and --slack-channel go together');
    return 2;
  }
  // Slack is always checked (auth.test + conversations.info, and the bot joins the channel): the checks also read the
  // team and bot ids the connection needs, so there is nothing to skip.
  const slack =
    a['slack-token'] && a['slack-channel']
      ? await connectSlackWithToken({
          apiUrl: env.data.SLACK_API_URL,
          botToken: a['slack-token'],
          channelId: a['slack-channel'],
        })
      : undefined;
  const ring = parseKeyRing(env.data.ENCRYPTION_KEY);
  const bridges = createBridgeRegistry({
    telegram: { apiRoot: env.data.TELEGRAM_API_ROOT },
    discord: {
      apiUrl: env.data.DISCORD_API_URL,
      botToken: env.data.DISCORD_BOT_TOKEN,
      applicationId: env.data.DISCORD_APPLICATION_ID,
    },
  });
  const discord =
    a['discord-guild'] && a['discord-channel']
      ? { guildId: a['discord-guild'], channelId: a['discord-channel'] }
      : undefined;
  // The checks also read the names the dashboard shows (group title, server and channel names).
  const discordCheck =
    discord && !a['skip-validation']
      ? // The bot must already be in that server and able to open threads in that channel (the error names what is missing).
        await getBridge(bridges, 'discord').validateCredentials({
          connectionId: 'new',
          credentials: discord,
          targetId: discord.channelId,
          targetScope: discord.guildId,
        })
      : null;
  const telegramInput =
    a['telegram-token'] && a['telegram-chat']
      ? { botToken: a['telegram-token'], chatId: a['telegram-chat'] }
      : undefined;
  const telegramCheck =
    telegramInput && !a['skip-validation']
      ? // Fail before writing anything if the bot cannot work in that group.
        await getBridge(bridges, 'telegram').validateCredentials({
          connectionId: 'new',
          credentials: { botToken: telegramInput.botToken },
          targetId: telegramInput.chatId,
          targetScope: null,
        })
      : null;
  const telegram = telegramInput ? { ...telegramInput, chatTitle: telegramCheck?.targetName ?? null } : undefined;
  const origins = (a.origin ?? [env.data.WEB_PUBLIC_URL]).map((o) => new URL(o).origin);
  const db = createDb(env.data.DATABASE_URL, { poolSize: 2 });
  try {
    const result = await bootstrapTenant(db, ring, {
      email: a.email,
      orgName: a.org,
      projectName: a.project,
      allowedOrigins: origins,
      ...(telegram ? { telegram } : {}),
    });
    const discordConnection = discord
      ? await createConnection(db, result.organization.id, {
          projectId: result.project.id,
          kind: 'discord',
          sealedCredentials: encryptSecret(ring, JSON.stringify(discord)),
          targetId: discord.channelId,
          targetScope: discord.guildId,
          targetName: discordCheck?.targetName ?? null,
          scopeName: discordCheck?.scopeName ?? null,
        })
      : null;
    const slackConnection = slack
      ? await createConnection(db, result.organization.id, {
          projectId: result.project.id,
          kind: 'slack',
          sealedCredentials: encryptSecret(ring, JSON.stringify(slack.credentials)),
          targetId: slack.targetId,
          targetScope: slack.targetScope,
          targetName: slack.channelName,
          scopeName: slack.teamName,
        })
      : null;
    let webhookUrl: string | null = null;
    let webhookWarning: string | null = null;
    if (result.telegram) {
      const url = `${env.data.WEB_PUBLIC_URL.replace(/\/$/, '')}/api/webhooks/telegram/${result.telegram.connection.id}`;
      try {
        await getBridge(bridges, 'telegram').registerWebhook?.(
          {
            connectionId: result.telegram.connection.id,
            credentials: { botToken: telegram!.botToken },
            targetId: telegram!.chatId,
            targetScope: null,
          },
          { url, secret: result.telegram.webhookSecret },
        );
        webhookUrl = url;
      } catch (err) {
        // Telegram takes HTTPS webhooks only: a local http:// WEB_PUBLIC_URL is refused. The tenant exists by now
        // and works without it — the worker fetches updates by long polling while a bot has no webhook
        // (TELEGRAM_UPDATES_MODE=auto) — so this is said, not fatal.
        webhookWarning = `Telegram refused the webhook ${url} (${err instanceof Error ? err.message : String(err)}); the worker will fetch replies by long polling (TELEGRAM_UPDATES_MODE=auto)`;
        console.error(`warning: ${webhookWarning}`);
      }
    }
    console.log(
      JSON.stringify(
        {
          user: { id: result.userId, email: a.email.toLowerCase() },
          organization: result.organization,
          project: {
            id: result.project.id,
            name: result.project.name,
            publicKey: result.project.publicKey,
            allowedOrigins: result.project.allowedOrigins,
          },
          apiKey: {
            id: result.apiKey.id,
            key: result.apiKey.key,
            prefix: result.apiKey.prefix,
            note: 'shown once; store it now',
          },
          ...(slackConnection && slack
            ? {
                slack: {
                  connectionId: slackConnection.id,
                  teamId: slack.targetScope,
                  channelId: slack.targetId,
                  summary: slack.summary,
                },
              }
            : {}),
          ...(discordConnection
            ? {
                discord: {
                  connectionId: discordConnection.id,
                  guildId: discord!.guildId,
                  channelId: discord!.channelId,
                },
              }
            : {}),
          ...(env.data.DISCORD_APPLICATION_ID
            ? { discordInstallLink: discordInstallLink(env.data.DISCORD_APPLICATION_ID, env.data.DISCORD_API_URL) }
            : {}),
          ...(result.telegram
            ? {
                telegram: {
                  connectionId: result.telegram.connection.id,
                  chatId: result.telegram.connection.targetId,
                  webhookUrl,
                  updates: webhookUrl ? 'webhook' : 'long polling',
                  ...(webhookWarning ? { warning: webhookWarning } : {}),
                },
              }
            : {}),
        },
        null,
        2,
      ),
    );
    return 0;
  } finally {
    await db.$disconnect();
  }
}
