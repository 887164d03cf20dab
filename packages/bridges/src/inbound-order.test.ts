import { describe, expect, it } from 'vitest';
import { INBOUND_ORDERING } from './registry.js';
import { NO_ORDERING, orderKeyFromDigits, orderKeyFromSlackTs } from './inbound-order.js';

const sorted = (keys: string[]) => [...keys].sort();

describe('order keys', () => {
  it('sort as text in numeric order, whatever the number of digits', () => {
    const ids = ['9', '10', '999999', '1000000', '1229876543210987654', '12298765432109876540'];
    expect(sorted(ids.map(orderKeyFromDigits))).toEqual(ids.map(orderKeyFromDigits));
    expect(orderKeyFromDigits('42')).toHaveLength(24);
    // Anything that is not a number sorts first and never throws.
    expect(orderKeyFromDigits('12a')).toBe(orderKeyFromDigits(''));
  });

  it("follow Slack's ts: seconds, then the counter after the dot", () => {
    const ts = ['1712345678.000009', '1712345678.000010', '1712345679.000001'];
    expect(sorted(ts.map(orderKeyFromSlackTs))).toEqual(ts.map(orderKeyFromSlackTs));
    expect(orderKeyFromSlackTs('not a ts')).toBe(NO_ORDERING.orderKey);
  });
});

describe('INBOUND_ORDERING', () => {
  it('Telegram: a message and its edit share their topic; update_id orders them', () => {
    const msg = {
      message_id: 7,
      message_thread_id: 42,
      is_topic_message: true,
      chat: { id: -100123, type: 'supergroup' },
      date: 1,
      text: 'a',
    };
    const created = INBOUND_ORDERING.telegram({ update_id: 99, message: msg });
    const edited = INBOUND_ORDERING.telegram({ update_id: 100, edited_message: { ...msg, text: 'b' } });
    expect(created.threadKey).toBe('-100123/42');
    expect(edited.threadKey).toBe(created.threadKey);
    expect(created.orderKey < edited.orderKey).toBe(true);
    expect(INBOUND_ORDERING.telegram({ update_id: 5, my_chat_member: {} }).threadKey).toBeNull();
    expect(INBOUND_ORDERING.telegram('garbage')).toEqual(NO_ORDERING);
  });

  it('Slack: a reply, its edit and its delete share the thread of their parent; ts orders them', () => {
    const envelope = (event: Record<string, unknown>) => ({
      type: 'event_callback',
      team_id: 'T1',
      event_id: `Ev${Math.random()}`,
      event,
    });
    const reply = INBOUND_ORDERING.slack(
      envelope({
        type: 'message',
        channel: 'C1',
        ts: '1712345678.000200',
        thread_ts: '1712345600.000100',
        user: 'U1',
        text: 'hi',
      }),
    );
    const edit = INBOUND_ORDERING.slack(
      envelope({
        type: 'message',
        subtype: 'message_changed',
        channel: 'C1',
        ts: '1712345690.000001',
        event_ts: '1712345690.000001',
        message: { ts: '1712345678.000200', thread_ts: '1712345600.000100', text: 'hi!' },
      }),
    );
    const del = INBOUND_ORDERING.slack(
      envelope({
        type: 'message',
        subtype: 'message_deleted',
        channel: 'C1',
        ts: '1712345700.000001',
        deleted_ts: '1712345678.000200',
        previous_message: { ts: '1712345678.000200', thread_ts: '1712345600.000100' },
      }),
    );
    expect(reply.threadKey).toBe('C1/1712345600.000100');
    expect(edit.threadKey).toBe(reply.threadKey);
    expect(del.threadKey).toBe(reply.threadKey);
    expect(sorted([del.orderKey, reply.orderKey, edit.orderKey])).toEqual([
      reply.orderKey,
      edit.orderKey,
      del.orderKey,
    ]);
    expect(INBOUND_ORDERING.slack(envelope({ type: 'app_uninstalled' })).threadKey).toBeNull();
  });

  it('Discord: create, update and delete of one message share the thread and the message id', () => {
    const d = { id: '1229876543210987654', channel_id: '1229876543210980000', guild_id: '1229876543210900000' };
    const create = INBOUND_ORDERING.discord({
      t: 'MESSAGE_CREATE',
      d: { ...d, content: 'a' },
      parent_id: '1229876543210911111',
    });
    const later = INBOUND_ORDERING.discord({
      t: 'MESSAGE_CREATE',
      d: { ...d, id: '1229876543210987999', content: 'b' },
      parent_id: '1229876543210911111',
    });
    const del = INBOUND_ORDERING.discord({ t: 'MESSAGE_DELETE', d, parent_id: '1229876543210911111' });
    expect(create.threadKey).toBe('1229876543210911111/1229876543210980000');
    expect(del).toEqual(create);
    expect(create.orderKey < later.orderKey).toBe(true);
    expect(INBOUND_ORDERING.discord({ t: 'MESSAGE_CREATE' })).toEqual(NO_ORDERING);
  });
});
