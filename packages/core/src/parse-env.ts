import type { z } from 'zod';

/**
 * Parses the environment with a zod schema. On failure it prints one line per bad variable, naming it,
 * and stops the process: a service must never start half-configured.
 */
export function parseEnv<T extends z.ZodType>(
  schema: T,
  source: Record<string, string | undefined> = process.env,
  appName = 'app',
): z.infer<T> {
  const result = schema.safeParse(withoutEmpty(source));
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => {
    const name = issue.path.join('.') || '(env)';
    const value = source[String(issue.path[0])];
    const why = value === undefined || value === '' ? 'is missing' : `is invalid: ${issue.message}`;
    return `  - ${name} ${why}`;
  });
  console.error(
    `[${appName}] configuration error — fix these environment variables (see .env.example):\n${lines.join('\n')}`,
  );
  process.exit(78); // EX_CONFIG
}

/** An empty variable (`FOO=` in a .env file) means "not set": defaults apply and optional ones stay undefined. */
export function withoutEmpty(source: Record<string, string | undefined>): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
}
