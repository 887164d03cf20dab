import { describe, expect, it } from 'vitest';
import { fillSavedReply, ZSavedReplyInput } from './saved-replies.js';

describe('fillSavedReply', () => {
  it('fills both placeholders, every time they appear, with spaces tolerated inside the braces', () => {
    expect(
      fillSavedReply('Hi {visitor.name}! {operator.name} here. Bye { visitor.name }', {
        visitorName: 'Ann',
        operatorName: 'Sam',
      }),
    ).toBe('Hi Ann! Sam here. Bye Ann');
  });
  it('uses a neutral word for an unknown or blank name, and leaves other braces alone', () => {
    expect(
      fillSavedReply('Hi {visitor.name}, {operator.name} {order.id}', { visitorName: '  ', operatorName: null }),
    ).toBe('Hi there, the team {order.id}');
  });
  it('inserts names literally (no replacement patterns such as $&)', () => {
    expect(fillSavedReply('Hi {visitor.name}', { visitorName: "$& $' $1" })).toBe("Hi $& $' $1");
  });
});

describe('ZSavedReplyInput', () => {
  it('normalises the shortcut and refuses what the reply box could not type', () => {
    expect(ZSavedReplyInput.parse({ title: ' T ', shortcut: ' Refund-2 ', body: 'x\r\ny' })).toEqual({
      title: 'T',
      shortcut: 'refund-2',
      body: 'x\ny',
    });
    for (const shortcut of ['', 'a b', 'é', 'a_b', '/refund', 'x'.repeat(33)])
      expect(ZSavedReplyInput.safeParse({ title: 'T', shortcut, body: 'x' }).success, shortcut).toBe(false);
  });
});
