import { describe, expect, it } from 'vitest';
import { testEncryptionKey } from '@pocketping/testkit';
import { EnvError, parseWebEnv } from './env';

const base = {
  DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/x',
  REDIS_URL: 'redis://127.0.0.1:6379',
  ENCRYPTION_KEY: testEncryptionKey(),
  AUTH_SECRET: 'a'.repeat(64),
  WEB_PUBLIC_URL: 'http://localhost:3000',
  REALTIME_PUBLIC_URL: 'http://localhost:3001',
};

describe('web env: OAuth providers', () => {
  it('takes the GitHub Enterprise URL and the Google issuer without a trailing slash (the providers append paths)', () => {
    const env = parseWebEnv({
      ...base,
      AUTH_GITHUB_URL: 'https://github.example.com/',
      AUTH_GOOGLE_ISSUER: 'https://accounts.example.com//',
    });
    expect(env.AUTH_GITHUB_URL).toBe('https://github.example.com');
    expect(env.AUTH_GOOGLE_ISSUER).toBe('https://accounts.example.com');
  });

  it('treats empty values as unset and names a malformed URL', () => {
    const unset = parseWebEnv({ ...base, AUTH_GITHUB_URL: '', AUTH_GITHUB_ID: '' });
    expect(unset.AUTH_GITHUB_URL).toBeUndefined();
    expect(unset.AUTH_GITHUB_ID).toBeUndefined();
    let caught: unknown;
    try {
      parseWebEnv({ ...base, AUTH_GITHUB_URL: 'github dot com' });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(EnvError);
    expect((caught as EnvError).variables).toEqual(['AUTH_GITHUB_URL']);
  });
});

describe('web env: AUTH_SECRET', () => {
  it('refuses the placeholder of .env.example (it is public: anyone could mint session cookies with it)', async () => {
    const { readFileSync } = await import('node:fs');
    const example = readFileSync(new URL('../../../.env.example', import.meta.url), 'utf8');
    const placeholder = /^AUTH_SECRET=(.*)$/m.exec(example)?.[1]?.trim();
    expect(placeholder).toBeTruthy();
    let caught: unknown;
    try {
      parseWebEnv({ ...base, AUTH_SECRET: placeholder });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(EnvError);
    expect((caught as EnvError).variables).toEqual(['AUTH_SECRET']);
    expect((caught as EnvError).message).toContain('placeholder');
    expect(parseWebEnv({ ...base, AUTH_SECRET: 'f3a9'.repeat(16) }).AUTH_SECRET).toBe('f3a9'.repeat(16));
  });
});
