import { describe, expect, it } from 'vitest';
import { parseProjectSettings } from '@pocketping/protocol';
import { fieldErrorsFromIssues, settingsPatch, validateSettingsDraft, type TSettingsDraft } from './settings-form';

const saved: TSettingsDraft = {
  name: 'Shop',
  siteUrl: '',
  origins: ['https://shop.example.com'],
  settings: parseProjectSettings({}),
  retentionDays: '',
};
const withSettings = (s: Partial<TSettingsDraft['settings']>): TSettingsDraft => ({
  ...saved,
  settings: { ...saved.settings, ...s },
});
const opts = { identitySecretSet: false };

describe('the settings form', () => {
  it('says what is wrong in words, per field, never as a pattern', () => {
    const e = validateSettingsDraft(
      { ...withSettings({ color: 'blue', operatorName: '  ', avatarUrl: 'javascript:alert(1)' }), name: ' ' },
      opts,
    );
    expect(Object.keys(e).sort()).toEqual(['avatarUrl', 'color', 'name', 'operatorName']);
    expect(e.color).toBe('Enter the colour as # followed by six hexadecimal digits (0–9, a–f), for example #2563eb.');
    for (const message of Object.values(e)) expect(message).not.toMatch(/\^|\[0-9|\{6\}|regex|Invalid/);
    expect(validateSettingsDraft(saved, opts)).toEqual({});
    expect(validateSettingsDraft(withSettings({ identity: 'enforce' }), opts).identity).toContain('Generate a secret');
    expect(validateSettingsDraft(withSettings({ identity: 'enforce' }), { identitySecretSet: true })).toEqual({});
    expect(validateSettingsDraft({ ...saved, origins: [] }, opts).origins).toContain('at least one origin');
  });

  it('saves only what changed, settings key by key', () => {
    expect(settingsPatch(saved, saved)).toBeNull();
    expect(settingsPatch({ ...withSettings({ color: '#ff0066' }), siteUrl: ' https://a.test ' }, saved)).toEqual({
      siteUrl: 'https://a.test',
      settings: { color: '#ff0066' },
    });
  });

  it("places the server's refusal on its field, in the page's words when it has them", () => {
    const draft = withSettings({ color: 'nope' });
    const placed = fieldErrorsFromIssues(
      [
        { path: 'settings.color', message: 'must be # followed by six hexadecimal digits, for example #2563eb' },
        { path: 'allowedOrigins.0', message: 'is not an origin' },
        { path: '', message: 'Something else' },
      ],
      draft,
      opts,
    );
    expect(placed.fields.color).toContain('Enter the colour as #');
    expect(placed.fields.origins).toBe('This value was refused: is not an origin.');
    expect(placed.other).toEqual(['Something else']);
  });
});
