import nodemailer, { type Transporter } from 'nodemailer';

/** Outgoing mail. In dev and tests SMTP_URL points at the capturing SMTP server of @pocketping/testkit. */
export interface TMail {
  to: string;
  subject: string;
  text: string;
  html?: string;
}

export interface TMailer {
  send(mail: TMail): Promise<void>;
}

export function createMailer(smtpUrl: string, from: string): TMailer {
  let transport: Transporter | undefined;
  return {
    async send(mail) {
      transport ??= nodemailer.createTransport(smtpUrl, { from });
      await transport.sendMail({ from, to: mail.to, subject: mail.subject, text: mail.text, html: mail.html });
    },
  };
}
