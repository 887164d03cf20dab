import { describe, expect, it } from 'vitest';
import { OAUTH_EMAIL_UNVERIFIED_URL, oauthSignInCheck, pickGitHubEmail } from './oauth';

describe('pickGitHubEmail', () => {
  it('takes the primary address when verified, else another verified one, lower-cased', () => {
    expect(
      pickGitHubEmail([
        { email: 'other@example.test', primary: false, verified: true },
        { email: 'Main@Example.test', primary: true, verified: true },
      ]),
    ).toBe('main@example.test');
    expect(
      pickGitHubEmail([
        { email: 'main@example.test', primary: true, verified: false },
        { email: 'Backup@example.test', primary: false, verified: true },
      ]),
    ).toBe('backup@example.test');
  });

  it('gives nothing when no address is verified', () => {
    expect(pickGitHubEmail([{ email: 'main@example.test', primary: true, verified: false }])).toBeNull();
    expect(pickGitHubEmail([])).toBeNull();
  });
});

describe('oauthSignInCheck', () => {
  it('lets password and magic-link sign-ins through untouched', () => {
    expect(oauthSignInCheck({ type: 'credentials', provider: 'credentials' }, undefined)).toBe(true);
    expect(oauthSignInCheck({ type: 'email', provider: 'nodemailer' }, undefined)).toBe(true);
  });

  it('accepts an OAuth profile only with an email the provider says is verified', () => {
    expect(
      oauthSignInCheck({ type: 'oidc', provider: 'google' }, { email: 'a@example.test', email_verified: true }),
    ).toBe(true);
    expect(
      oauthSignInCheck({ type: 'oidc', provider: 'google' }, { email: 'a@example.test', email_verified: false }),
    ).toBe(OAUTH_EMAIL_UNVERIFIED_URL);
    expect(oauthSignInCheck({ type: 'oauth', provider: 'github' }, { email: null, email_verified: false })).toBe(
      OAUTH_EMAIL_UNVERIFIED_URL,
    );
    // A truthy string is not a verification.
    expect(
      oauthSignInCheck({ type: 'oauth', provider: 'github' }, { email: 'a@example.test', email_verified: 'true' }),
    ).toBe(OAUTH_EMAIL_UNVERIFIED_URL);
  });
});
