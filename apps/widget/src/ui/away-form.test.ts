// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { h, render } from 'preact';
import { EN_FORMS } from '../lang/en.js';
import { FR_FORMS } from '../lang/fr.js';
import { AwayForm } from './away-form.js';

let host: HTMLElement;

function show(message: string | null | undefined, t = EN_FORMS) {
  host = document.createElement('div');
  document.body.appendChild(host);
  render(h(AwayForm, { state: { status: 'idle', error: null }, t, message, onSubmit: () => undefined }), host);
  return host;
}

afterEach(() => {
  render(null, host);
  host.remove();
});

describe('AwayForm', () => {
  it("shows the project's away message above the email field", () => {
    const el = show('Back Monday 9:00 CET.\nUrgent? Call us.');
    const p = el.querySelector('[data-pp="away-message"]');
    expect(p?.textContent).toBe('Back Monday 9:00 CET.\nUrgent? Call us.');
    expect(el.querySelector('label')?.textContent).toBe(EN_FORMS.awayEmail);
    expect(el.querySelector('input[type="email"]')).not.toBeNull();
  });

  it('renders the away message as plain text, never as HTML', () => {
    const el = show('<img src=x onerror="alert(1)"><b>bold</b>');
    const p = el.querySelector('[data-pp="away-message"]');
    expect(p?.textContent).toBe('<img src=x onerror="alert(1)"><b>bold</b>');
    expect(p?.querySelector('img, b')).toBeNull();
    expect(el.querySelector('img')).toBeNull();
  });

  it('falls back to the built-in text (in the widget language) without an away message', () => {
    for (const m of [null, undefined, '']) {
      const el = show(m, FR_FORMS);
      expect(el.querySelector('[data-pp="away-message"]')).toBeNull();
      expect(el.querySelector('label')?.textContent).toBe(FR_FORMS.awayTitle);
      render(null, host);
      host.remove();
    }
    show(null);
  });
});
