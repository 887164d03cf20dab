import { describe, expect, it } from 'vitest';
import { connectionLabel } from './connection-label';

describe('connectionLabel', () => {
  it('shows the names stored when connecting', () => {
    expect(
      connectionLabel({
        kind: 'telegram',
        targetId: '-1001000000001',
        targetScope: '123',
        targetName: 'Acme support',
        scopeName: null,
      }),
    ).toBe('Group "Acme support"');
    expect(
      connectionLabel({
        kind: 'slack',
        targetId: 'CA54111731C',
        targetScope: 'TA6B01A545',
        targetName: 'support',
        scopeName: 'Acme',
      }),
    ).toBe('#support · workspace Acme');
    expect(
      connectionLabel({
        kind: 'discord',
        targetId: '1576',
        targetScope: '1577',
        targetName: 'help',
        scopeName: 'Acme HQ',
      }),
    ).toBe('#help · server Acme HQ');
  });

  it('falls back to the ids for rows made before names were stored', () => {
    expect(
      connectionLabel({
        kind: 'telegram',
        targetId: '-1001000000001',
        targetScope: null,
        targetName: null,
        scopeName: null,
      }),
    ).toBe('Group -1001000000001');
    expect(
      connectionLabel({
        kind: 'slack',
        targetId: 'CA54111731C',
        targetScope: 'TA6B01A545',
        targetName: null,
        scopeName: null,
      }),
    ).toBe('Channel CA54111731C · workspace TA6B01A545');
    expect(
      connectionLabel({ kind: 'discord', targetId: '1576', targetScope: '1577', targetName: null, scopeName: null }),
    ).toBe('Channel 1576 · server 1577');
  });
});
