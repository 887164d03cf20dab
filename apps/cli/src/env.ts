// The CLI's environment: the one place it reads process.env. doctor and bootstrap parse what they need from it
// with the apps' own schemas (they must see exactly what the apps would see).
import { existsSync } from 'node:fs';
import path from 'node:path';

/**
 * Loads the repo's .env (what `npm start` writes), or POCKETPING_ENV_FILE (a path, or "none"), under the variables
 * already set (they win), and returns the resulting environment.
 */
export function loadCliEnv(root: string): Record<string, string | undefined> {
  const envFile = process.env.POCKETPING_ENV_FILE ?? path.join(root, '.env');
  if (envFile !== 'none' && existsSync(envFile)) process.loadEnvFile(envFile);
  return process.env;
}
