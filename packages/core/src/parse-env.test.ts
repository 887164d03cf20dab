import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { envFields } from './env-fields.js';
import { parseEnv } from './parse-env.js';

describe('parseEnv', () => {
  const schema = z.object({
    DATABASE_URL: envFields.DATABASE_URL,
    REDIS_URL: envFields.REDIS_URL,
    REDIS_PREFIX: envFields.REDIS_PREFIX,
  });

  it('returns typed values with defaults', () => {
    const env = parseEnv(schema, { DATABASE_URL: 'postgresql://u@h/db', REDIS_URL: 'redis://h:6379' });
    expect(env).toEqual({ DATABASE_URL: 'postgresql://u@h/db', REDIS_URL: 'redis://h:6379', REDIS_PREFIX: 'pp' });
  });

  it('stops the process naming each missing or malformed variable', () => {
    const exit = vi.spyOn(process, 'exit').mockImplementation(((code: number) => {
      throw new Error(`exit ${code}`);
    }) as never);
    const err = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    expect(() => parseEnv(schema, { DATABASE_URL: 'mysql://x', REDIS_URL: undefined }, 'test-app')).toThrow('exit 78');
    const printed = String(err.mock.calls[0]?.[0]);
    expect(printed).toContain('[test-app]');
    expect(printed).toMatch(/DATABASE_URL is invalid/);
    expect(printed).toMatch(/REDIS_URL is missing/);
    exit.mockRestore();
    err.mockRestore();
  });
});

describe('empty variables', () => {
  it('count as unset, so defaults apply', () => {
    const schema = z.object({ REDIS_PREFIX: envFields.REDIS_PREFIX, DATABASE_URL: envFields.DATABASE_URL });
    expect(parseEnv(schema, { REDIS_PREFIX: '', DATABASE_URL: 'postgres://h/db' })).toEqual({
      REDIS_PREFIX: 'pp',
      DATABASE_URL: 'postgres://h/db',
    });
  });
});
