import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import nodemailer from 'nodemailer';
import { startFakeSmtp, type TFakeSmtp } from '@pocketping/testkit';
import { createMailer } from './mailer';
import { verifyEmailMail } from './templates';

// The web mailer (nodemailer) against the fake SMTP server of @pocketping/testkit: a real SMTP conversation, the
// mail parsed back, its links extracted, and the viewer a newcomer uses to click them.
let smtp: TFakeSmtp;
beforeAll(async () => {
  smtp = await startFakeSmtp();
});
afterAll(async () => smtp?.close());
beforeEach(() => smtp.clear());

describe('fake SMTP + mailer', () => {
  it('captures a templated mail sent by the web mailer, with its link', async () => {
    const mailer = createMailer(smtp.url, 'PocketPing <no-reply@pocketping.test>');
    const link = 'http://127.0.0.1:3000/verify-email?token=abc_DEF-123&next=%2Fapp';
    await mailer.send(verifyEmailMail('Alice@Example.test', link));
    const [mail] = smtp.mails();
    expect(mail).toBeDefined();
    expect(mail!.to).toEqual(['alice@example.test']);
    expect(mail!.subject).toBe('Confirm your email for PocketPing');
    expect(mail!.from).toContain('no-reply@pocketping.test');
    expect(mail!.text).toContain(link);
    expect(mail!.html).toContain('Confirm my email');
    // The href is HTML-escaped in the mail (&amp;): the captured link is the real URL, once.
    expect(mail!.links).toEqual([link]);
  });

  it('waitForMail resolves with a mail that arrives later, filtered by recipient and predicate; times out clearly', async () => {
    const transport = nodemailer.createTransport(smtp.url);
    const waiting = smtp.waitForMail('bob@example.test', (m) => m.subject === 'second', 5_000);
    await transport.sendMail({ from: 'a@example.test', to: 'bob@example.test', subject: 'first', text: 'one' });
    await transport.sendMail({
      from: 'a@example.test',
      to: 'carol@example.test',
      subject: 'second',
      text: 'not for bob',
    });
    await transport.sendMail({
      from: 'a@example.test',
      to: ['bob@example.test', 'dan@example.test'],
      subject: 'second',
      text: 'see https://x.example/a?b=1.',
    });
    const mail = await waiting;
    expect(mail.to).toEqual(['bob@example.test', 'dan@example.test']);
    expect(mail.links).toEqual(['https://x.example/a?b=1']);
    expect(smtp.mails().map((m) => m.subject)).toEqual(['first', 'second', 'second']);
    await expect(smtp.waitForMail('nobody@example.test', undefined, 200)).rejects.toThrow(
      /no matching mail to nobody@example.test/,
    );
    smtp.clear();
    expect(smtp.mails()).toEqual([]);
    transport.close();
  });

  it('the viewer lists mails and shows one with clickable links and escaped content', async () => {
    const transport = nodemailer.createTransport(smtp.url);
    await transport.sendMail({
      from: 'a@example.test',
      to: 'eve@example.test',
      subject: '<b>Hi</b>',
      text: 'Go: http://127.0.0.1:1/reset?token=t1',
      html: '<p><a href="http://127.0.0.1:1/reset?token=t1">Reset</a></p>',
    });
    transport.close();
    const id = smtp.mails()[0]!.id;
    const list = await fetch(smtp.viewerUrl!).then((r) => r.text());
    expect(list).toContain(`href="/mail/${id}"`);
    expect(list).toContain('&lt;b&gt;Hi&lt;/b&gt;');
    expect(list).not.toContain('<b>Hi</b>');
    const one = await fetch(new URL(`/mail/${id}`, smtp.viewerUrl!)).then((r) => r.text());
    expect(one).toContain('<a href="http://127.0.0.1:1/reset?token=t1">');
    expect((await fetch(new URL('/mail/9999', smtp.viewerUrl!))).status).toBe(404);
    const json = (await fetch(new URL('/api/mails', smtp.viewerUrl!)).then((r) => r.json())) as { subject: string }[];
    expect(json.map((m) => m.subject)).toEqual(['<b>Hi</b>']);
  });
});
