import nodemailer, { type Transporter } from 'nodemailer';
import type { TUsageMailer } from './usage-pass.js';

/** The usage emails' SMTP transport (the same SMTP_URL and sender as the web app's mail). */
export function createUsageMailer(smtpUrl: string, from: string): TUsageMailer {
  let transport: Transporter | undefined;
  return {
    async send(mail) {
      transport ??= nodemailer.createTransport(smtpUrl, { from });
      await transport.sendMail({ from, to: mail.to, subject: mail.subject, text: mail.text });
    },
  };
}
