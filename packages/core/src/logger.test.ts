import { describe, expect, it } from 'vitest';
import { createLogger, REDACTED_FIELDS } from './logger.js';

function capture(): { lines: string[]; stream: { write(s: string): void } } {
  const lines: string[] = [];
  return { lines, stream: { write: (s: string) => void lines.push(s) } };
}

describe('logger redaction (second line of defence: secrets are never put in log objects)', () => {
  it('redacts every secret-bearing field at the top level and one level down', () => {
    const { lines, stream } = capture();
    const log = createLogger('test', 'info', stream);
    const secrets = Object.fromEntries(REDACTED_FIELDS.map((f) => [f, `SECRET-${f}`]));
    log.info({ ...secrets, nested: secrets, organizationId: 'org_1' }, 'hello');
    log.warn(
      {
        req: {
          headers: {
            authorization: 'Bearer SECRET-bearer',
            cookie: 'SECRET-cookie',
            'x-telegram-bot-api-secret-token': 'SECRET-tg',
          },
        },
      },
      'headers',
    );
    const out = lines.join('\n');
    expect(out).not.toContain('SECRET-');
    expect(out).toContain('org_1');
    expect(out).toContain('[redacted]');
  });
});
