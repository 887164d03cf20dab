// pocketping — operator CLI: doctor, migrate, bootstrap, gen-key.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { generateEncryptionKey } from '@pocketping/core';
import { loadCliEnv } from './env.js';

const ROOT = path.resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');
const env = loadCliEnv(ROOT);

const USAGE = `Usage: pnpm pocketping <command> [options]

Commands:
  doctor                     check env, Postgres, Redis, migrations and each platform API
  migrate                    apply the migrations shipped with this build (the deploy's migration job; no Prisma CLI)
  bootstrap --email E --org O [--project P] [--origin URL]... [--telegram-token T --telegram-chat=ID] [--discord-guild G --discord-channel C] [--slack-token xoxb-… --slack-channel C…]   (=: chat ids start with "-")
                             create the first user, organization, project and API key; print them as JSON
  gen-key                    print a new ENCRYPTION_KEY value
`;

const [command, ...rest] = process.argv.slice(2);
try {
  switch (command) {
    case 'doctor':
      // Loaded on demand: importing the Prisma client makes it read the repo's .env by itself, which would hide
      // from `doctor` what is really configured.
      process.exitCode = await (await import('./doctor.js')).runDoctor(env, ROOT);
      break;
    case 'bootstrap': {
      const { values } = parseArgs({
        args: rest,
        options: {
          email: { type: 'string' },
          org: { type: 'string' },
          project: { type: 'string' },
          origin: { type: 'string', multiple: true },
          'telegram-token': { type: 'string' },
          'telegram-chat': { type: 'string' },
          'discord-guild': { type: 'string' },
          'discord-channel': { type: 'string' },
          'slack-token': { type: 'string' },
          'slack-channel': { type: 'string' },
          'skip-validation': { type: 'boolean', default: false },
        },
        strict: true,
      });
      process.exitCode = await (await import('./bootstrap.js')).runBootstrap(env, values);
      break;
    }
    case 'migrate': {
      const { applyMigrations } = await import('@pocketping/db/migrations');
      if (!env.DATABASE_URL) throw new Error('DATABASE_URL is not set');
      const dir = env.MIGRATIONS_DIR ?? path.join(ROOT, 'prisma/migrations');
      const r = await applyMigrations(env.DATABASE_URL, dir, (name) => console.log(`applied ${name}`));
      console.log(`${r.applied.length} applied, ${r.alreadyApplied} already applied`);
      break;
    }
    case 'gen-key':
      console.log(generateEncryptionKey());
      break;
    case undefined:
    case 'help':
    case '--help':
      console.log(USAGE);
      break;
    default:
      console.error(`Unknown command "${command}".\n\n${USAGE}`);
      process.exitCode = 2;
  }
} catch (err) {
  console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
}
