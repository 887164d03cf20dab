import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { checkRedisClusterEnv, envFields } from './env-fields.js';
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

describe('REDIS_CLUSTER and REDIS_CLUSTER_NODES', () => {
  const schema = z
    .object({ REDIS_CLUSTER: envFields.REDIS_CLUSTER, REDIS_CLUSTER_NODES: envFields.REDIS_CLUSTER_NODES })
    .superRefine(checkRedisClusterEnv);

  it('parses the seed nodes (host names, IPv4, bracketed IPv6)', () => {
    expect(
      schema.parse({ REDIS_CLUSTER: 'on', REDIS_CLUSTER_NODES: 'redis-0.redis:6379, 10.0.0.2:7000,[fd00::1]:6380' }),
    ).toEqual({
      REDIS_CLUSTER: 'on',
      REDIS_CLUSTER_NODES: [
        { host: 'redis-0.redis', port: 6379 },
        { host: '10.0.0.2', port: 7000 },
        { host: 'fd00::1', port: 6380 },
      ],
    });
  });

  it('refuses cluster mode without nodes, and a node that is not host:port', () => {
    const noNodes = schema.safeParse({ REDIS_CLUSTER: 'on' });
    expect(noNodes.success).toBe(false);
    expect(noNodes.error?.issues[0]).toMatchObject({ path: ['REDIS_CLUSTER_NODES'] });
    expect(noNodes.error?.issues[0]?.message).toMatch(/required when REDIS_CLUSTER=on/);
    for (const bad of ['redis:6379,redis2', 'redis:0', 'redis:70000', 'redis://h:6379', ''])
      expect(schema.safeParse({ REDIS_CLUSTER: 'on', REDIS_CLUSTER_NODES: bad }).success).toBe(false);
    // Off: no nodes needed.
    expect(schema.parse({})).toEqual({ REDIS_CLUSTER: 'off' });
  });
});
