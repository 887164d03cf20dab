import { describe, expect, it } from 'vitest';
import type { TMessage } from '@pocketping/protocol';
import { createMemoryStore, storageKeys } from '../shared/storage.js';
import { initialState } from './initial-state.js';
import { panelCards } from './panel-cards.js';
import type { TWidgetState } from './widget-state.js';

const base = initialState(createMemoryStore(), storageKeys('pk_test_123'), 'en');
const visitorMessage = { seq: 1, sender: 'visitor' } as TMessage;
const withPreChat = (mode: 'before' | 'after'): TWidgetState => ({
  ...base,
  settings: { ...base.settings, preChat: { enabled: true, mode, emailRequired: true, askName: true, fields: [] } },
});

describe('panelCards', () => {
  it('gates the composer with a "before" pre-chat until the visitor wrote or gave an email', () => {
    expect(panelCards(withPreChat('before')).gate).toBe(true);
    expect(panelCards({ ...withPreChat('before'), hasEmail: true }).gate).toBe(false);
    expect(
      panelCards({ ...withPreChat('before'), forms: { ...base.forms, preChat: { status: 'done', error: null } } }).gate,
    ).toBe(false);
    expect(panelCards({ ...withPreChat('before'), chat: { ...base.chat, messages: [visitorMessage] } }).gate).toBe(
      false,
    );
  });

  it('offers an "after" pre-chat once the visitor wrote, and the away form only when away and open', () => {
    const wrote = { chat: { ...base.chat, messages: [visitorMessage] } };
    expect(panelCards({ ...withPreChat('after'), ...wrote })).toEqual({
      gate: false,
      preChatCard: true,
      away: false,
      csat: false,
    });
    const away: TWidgetState = { ...base, ...wrote, presence: { status: 'away', replyTimeMinutes: null } };
    expect(panelCards(away).away).toBe(true);
    expect(panelCards({ ...away, hasEmail: true }).away).toBe(false);
    expect(panelCards({ ...away, conversationStatus: 'closed', isCsatRequested: true })).toEqual({
      gate: false,
      preChatCard: false,
      away: false,
      csat: true,
    });
    expect(panelCards({ ...base, presence: { status: 'away', replyTimeMinutes: 5 } }).away).toBe(false); // nothing written yet
  });
});
