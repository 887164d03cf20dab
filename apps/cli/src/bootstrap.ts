import { z } from 'zod';
import { envFields, parseKeyRing } from '@pocketping/core';
import { createBridgeRegistry, getBridge } from '@pocketping/bridges';
import { bootstrapTenant, createDb } from '@pocketping/db';

const ZEnv = z.object({
  DATABASE_URL: envFields.DATABASE_URL,
  ENCRYPTION_KEY: envFields.ENCRYPTION_KEY,
  WEB_PUBLIC_URL: envFields.WEB_PUBLIC_URL,
  TELEGRAM_API_ROOT: envFields.TELEGRAM_API_ROOT,
});

const ZArgs = z.object({
  email: z.string({ error: '--email is required' }).email('--email must be an email address'),
  org: z.string({ error: '--org is required' }).min(1).max(100),
  project: z.string().min(1).max(100).optional(),
  origin: z.array(z.string().url('--origin must be a URL like https://example.com')).optional(),
  'telegram-token': z.string().optional(),
  'telegram-chat': z.string().regex(/^-?\d+$/, '--telegram-chat must be a numeric chat id').optional(),
  'skip-validation': z.boolean().optional(),
});

/** Prints the created records as JSON on stdout (the API key appears only here, once). */
export async function runBootstrap(source: NodeJS.ProcessEnv, rawArgs: unknown): Promise<number> {
  const env = ZEnv.safeParse(source);
  if (!env.success) {
    console.error(`configuration error:\n${env.error.issues.map((i) => `  - ${i.path.join('.')}: ${i.message}`).join('\n')}`);
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
  const ring = parseKeyRing(env.data.ENCRYPTION_KEY);
  const bridges = createBridgeRegistry({ telegram: { apiRoot: env.data.TELEGRAM_API_ROOT } });
  const telegram = a['telegram-token'] && a['telegram-chat'] ? { botToken: a['telegram-token'], chatId: a['telegram-chat'] } : undefined;
  if (telegram && !a['skip-validation']) {
    // Fail before writing anything if the bot cannot work in that group.
    await getBridge(bridges, 'telegram').validateCredentials({ connectionId: 'new', credentials: { botToken: telegram.botToken }, targetId: telegram.chatId, targetScope: null });
  }
  const origins = (a.origin ?? [env.data.WEB_PUBLIC_URL]).map((o) => new URL(o).origin);
  const db = createDb(env.data.DATABASE_URL, { poolSize: 2 });
  try {
    const result = await bootstrapTenant(db, ring, { email: a.email, orgName: a.org, projectName: a.project, allowedOrigins: origins, ...(telegram ? { telegram } : {}) });
    let webhookUrl: string | null = null;
    if (result.telegram) {
      webhookUrl = `${env.data.WEB_PUBLIC_URL.replace(/\/$/, '')}/api/webhooks/telegram/${result.telegram.connection.id}`;
      await getBridge(bridges, 'telegram').registerWebhook?.(
        { connectionId: result.telegram.connection.id, credentials: { botToken: telegram!.botToken }, targetId: telegram!.chatId, targetScope: null },
        { url: webhookUrl, secret: result.telegram.webhookSecret },
      );
    }
    console.log(
      JSON.stringify(
        {
          user: { id: result.userId, email: a.email.toLowerCase() },
          organization: result.organization,
          project: { id: result.project.id, name: result.project.name, publicKey: result.project.publicKey, allowedOrigins: result.project.allowedOrigins },
          apiKey: { id: result.apiKey.id, key: result.apiKey.key, prefix: result.apiKey.prefix, note: 'shown once; store it now' },
          ...(result.telegram ? { telegram: { connectionId: result.telegram.connection.id, chatId: result.telegram.connection.targetId, webhookUrl } } : {}),
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
