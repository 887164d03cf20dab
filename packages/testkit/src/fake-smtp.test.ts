import { describe, expect, it } from 'vitest';
import { connect } from 'node:net';
import { extractLinks, startFakeSmtp } from './fake-smtp.js';

// The mailer side (nodemailer) is tested in apps/web/src/server/mail/mailer.test.ts; here, the raw protocol.
describe('fake SMTP', () => {
  it('extracts http(s) links from HTML hrefs and text, decoded and without duplicates', () => {
    expect(
      extractLinks(
        'See https://a.example/x?y=1&z=2, then http://b.example/.',
        '<a href="https://a.example/x?y=1&amp;z=2">x</a><a href="mailto:x@y">m</a>',
      ),
    ).toEqual(['https://a.example/x?y=1&z=2', 'http://b.example/']);
  });

  it('accepts a hand-written SMTP conversation and captures the mail', async () => {
    const smtp = await startFakeSmtp({ viewerPort: false });
    try {
      expect(smtp.viewerUrl).toBeNull();
      const socket = connect(smtp.port, '127.0.0.1');
      let received = '';
      socket.on('data', (d: Buffer) => (received += d.toString()));
      const expectReply = async (code: string) => {
        for (let i = 0; i < 100 && !new RegExp(`^${code} `, 'm').test(received); i++)
          await new Promise((r) => setTimeout(r, 20));
        expect(received).toMatch(new RegExp(`^${code} `, 'm'));
        received = '';
      };
      await expectReply('220');
      for (const [line, code] of [
        ['EHLO test', '250'],
        ['MAIL FROM:<a@example.test>', '250'],
        ['RCPT TO:<Raw@Example.test>', '250'],
        ['DATA', '354'],
      ] as const) {
        socket.write(`${line}\r\n`);
        await expectReply(code);
      }
      socket.write('Subject: raw\r\nFrom: a@example.test\r\n\r\nhello http://h.example/p\r\n.\r\n');
      await expectReply('250');
      socket.end('QUIT\r\n');
      const mail = await smtp.waitForMail('raw@example.test');
      expect(mail).toMatchObject({ subject: 'raw', to: ['raw@example.test'], links: ['http://h.example/p'] });
      expect(mail.text.trim()).toBe('hello http://h.example/p');
    } finally {
      await smtp.close();
    }
  });
});
