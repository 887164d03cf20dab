import type { TMail } from './mailer';

// Plain, short mails: a sentence, the link, and what to do if it was not you. The link is also printed as text so
// it survives mail clients that strip HTML.

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function linkMail(to: string, subject: string, intro: string, cta: string, url: string, outro: string): TMail {
  return {
    to,
    subject,
    text: `${intro}\n\n${cta}: ${url}\n\n${outro}\n`,
    html: `<p>${escapeHtml(intro)}</p><p><a href="${escapeHtml(url)}">${escapeHtml(cta)}</a></p><p style="color:#666">${escapeHtml(url)}</p><p style="color:#666">${escapeHtml(outro)}</p>`,
  };
}

export function magicLinkMail(to: string, url: string): TMail {
  return linkMail(
    to,
    'Your PocketPing sign-in link',
    'Use this link to sign in to PocketPing. It works once and expires in 15 minutes.',
    'Sign in',
    url,
    'If you did not ask for it, ignore this mail.',
  );
}

export function verifyEmailMail(to: string, url: string): TMail {
  return linkMail(
    to,
    'Confirm your email for PocketPing',
    'Welcome to PocketPing! Confirm your email address to finish creating your account. The link expires in 24 hours.',
    'Confirm my email',
    url,
    'If you did not sign up, ignore this mail.',
  );
}

export function resetPasswordMail(to: string, url: string): TMail {
  return linkMail(
    to,
    'Reset your PocketPing password',
    'Someone (hopefully you) asked to reset your PocketPing password. The link works once and expires in 1 hour.',
    'Choose a new password',
    url,
    'If you did not ask for it, ignore this mail: your password stays the same.',
  );
}

export function invitationMail(to: string, url: string, orgName: string, inviter: string): TMail {
  return linkMail(
    to,
    `${inviter} invited you to ${orgName} on PocketPing`,
    `${inviter} invited you to answer website visitors with the ${orgName} team on PocketPing. The invitation is valid for 7 days.`,
    'Accept the invitation',
    url,
    'If you were not expecting it, ignore this mail.',
  );
}

/** Sent instead of a confirmation mail when someone signs up with an address that already has an account. */
export function accountExistsMail(to: string, loginUrl: string, resetUrl: string): TMail {
  return {
    to,
    subject: 'You already have a PocketPing account',
    text: `Someone (hopefully you) tried to create a PocketPing account with this address, but you already have one.\n\nLog in: ${loginUrl}\n\nForgot your password? Choose a new one: ${resetUrl}\n\nIf it was not you, ignore this mail: nothing changed.\n`,
    html: `<p>Someone (hopefully you) tried to create a PocketPing account with this address, but you already have one.</p><p><a href="${escapeHtml(loginUrl)}">Log in</a></p><p>Forgot your password? <a href="${escapeHtml(resetUrl)}">Choose a new one</a>.</p><p style="color:#666">If it was not you, ignore this mail: nothing changed.</p>`,
  };
}

export function organizationDeletionMail(to: string, url: string, orgName: string, purgeOn: string): TMail {
  return linkMail(
    to,
    `${orgName} will be deleted on ${purgeOn}`,
    `An owner asked to delete the organization "${orgName}" on PocketPing. Its chat apps were disconnected and its API keys revoked. On ${purgeOn} every project, conversation, message and file of it will be deleted for good.`,
    'Cancel the deletion',
    url,
    'If this was you and you meant it, there is nothing to do. If not, cancel it now and tell your team.',
  );
}

/** Sent to the NEW address of an email change: the change happens only when this link is used. */
export function confirmEmailChangeMail(to: string, url: string, oldEmail: string): TMail {
  return linkMail(
    to,
    'Confirm your new PocketPing email',
    `Someone (hopefully you) asked to move the PocketPing account of ${oldEmail} to this address. The link works once and expires in 24 hours.`,
    'Use this address',
    url,
    'If you did not ask for it, ignore this mail: nothing changes.',
  );
}

/** Sent to the OLD address when an email change is asked, so a takeover in progress does not go unnoticed. */
export function emailChangeNoticeMail(to: string, newEmail: string, resetUrl: string): TMail {
  return {
    to,
    subject: 'Your PocketPing email is about to change',
    text: `Someone signed in to your PocketPing account asked to change its email to ${newEmail}. It changes only when the link mailed to that address is used.\n\nIf it was not you, choose a new password now: ${resetUrl}\n`,
    html: `<p>Someone signed in to your PocketPing account asked to change its email to <strong>${escapeHtml(newEmail)}</strong>. It changes only when the link mailed to that address is used.</p><p>If it was not you, <a href="${escapeHtml(resetUrl)}">choose a new password now</a>.</p>`,
  };
}
