// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { createRef, h, render } from 'preact';
import { DE_FORMS } from '../lang/de.js';
import { EN, EN_FORMS } from '../lang/en.js';
import { ES_FORMS } from '../lang/es.js';
import { FR_FORMS } from '../lang/fr.js';
import { EMOJI, Tool } from './tool.js';

let host: HTMLElement;
afterEach(() => {
  render(null, host);
  host.remove();
});

const flush = () => new Promise((r) => setTimeout(r, 0));
type TResult = { ok: true } | { ok: false; error: { code: string; message: string } };

function mount(tool: 'emoji' | 'menu', opts: { hasEmail?: boolean; answers?: TResult[] } = {}) {
  host = document.createElement('div');
  document.body.appendChild(host);
  const textarea = document.createElement('textarea');
  host.appendChild(textarea);
  const inputRef = createRef<HTMLTextAreaElement>();
  inputRef.current = textarea;
  const requests: object[] = [];
  const tools: (string | null)[] = [];
  const answers = [...(opts.answers ?? [])];
  const box = document.createElement('div');
  host.appendChild(box);
  render(
    h(Tool, {
      state: {
        tool,
        hasEmail: opts.hasEmail ?? false,
        language: 'en',
        t: EN,
        extras: { strings: { en: EN_FORMS, fr: FR_FORMS, de: DE_FORMS, es: ES_FORMS } },
      },
      controller: {
        tool: (t) => void tools.push(t),
        request: (_event, payload) => {
          requests.push(payload);
          return Promise.resolve(answers.shift() ?? { ok: true });
        },
      },
      inputRef,
    }),
    box,
  );
  return { box, textarea, requests, tools };
}

describe('emoji picker', () => {
  it('offers a curated set and inserts the one picked at the caret, as typing would', () => {
    expect(EMOJI.length).toBeGreaterThanOrEqual(50);
    expect(new Set(EMOJI).size).toBe(EMOJI.length);
    const { box, textarea, tools } = mount('emoji');
    textarea.value = 'Thanks !';
    textarea.selectionStart = textarea.selectionEnd = 7;
    const inputs: string[] = [];
    textarea.addEventListener('input', () => inputs.push(textarea.value));
    const options = box.querySelectorAll<HTMLButtonElement>('[data-pp=emoji-option]');
    expect(options.length).toBe(EMOJI.length);
    options[0]!.click();
    expect(textarea.value).toBe(`Thanks ${EMOJI[0]}!`);
    expect(inputs).toEqual([`Thanks ${EMOJI[0]}!`]);
    expect(tools).toEqual([null]);
  });

  it('Escape closes the picker, not the panel', () => {
    const { box, tools } = mount('emoji');
    const e = new KeyboardEvent('keydown', { key: 'Escape', bubbles: true });
    let reachedPanel = false;
    host.addEventListener('keydown', () => (reachedPanel = true));
    box.querySelector('[data-pp=emoji-option]')!.dispatchEvent(e);
    expect(tools).toEqual([null]);
    expect(reachedPanel).toBe(false);
  });
});

describe('"Email me this conversation"', () => {
  it('sends at once when the email is known, and says so', async () => {
    const { box, requests } = mount('menu', { hasEmail: true });
    box.querySelector<HTMLButtonElement>('[data-pp=transcript]')!.click();
    await flush();
    expect(requests).toEqual([{}]);
    expect(box.querySelector('[data-pp=transcript-sent]')?.textContent).toBe(EN_FORMS.transcriptSent);
  });

  it('asks for the email first when unknown, and checks it before sending', async () => {
    const { box, requests } = mount('menu');
    box.querySelector<HTMLButtonElement>('[data-pp=transcript]')!.click();
    await flush();
    const form = box.querySelector<HTMLFormElement>('[data-pp=transcript-form]')!;
    const input = form.querySelector('input')!;
    input.value = 'not an email';
    input.dispatchEvent(new Event('input', { bubbles: true }));
    await flush();
    form.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
    await flush();
    expect(requests).toEqual([]);
    expect(box.querySelector('[data-pp=transcript-error]')?.textContent).toBe(EN_FORMS.invalidEmail);
    input.value = ' ann@example.com ';
    input.dispatchEvent(new Event('input', { bubbles: true }));
    await flush();
    box.querySelector('form')!.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
    await flush();
    expect(requests).toEqual([{ email: 'ann@example.com' }]);
    expect(box.querySelector('[data-pp=transcript-sent]')).not.toBeNull();
  });

  it('asks for an email when the server knows none; the hourly limit is said in words', async () => {
    const { box, requests } = mount('menu', {
      hasEmail: true,
      answers: [
        { ok: false, error: { code: 'bad_request', message: 'Which email address should we send it to?' } },
        { ok: false, error: { code: 'rate_limited', message: 'You can ask for 3 transcripts an hour' } },
      ],
    });
    box.querySelector<HTMLButtonElement>('[data-pp=transcript]')!.click();
    await flush();
    expect(box.querySelector('[data-pp=transcript-form]')).not.toBeNull();
    const input = box.querySelector('input')!;
    input.value = 'ann@example.com';
    input.dispatchEvent(new Event('input', { bubbles: true }));
    await flush();
    box.querySelector('form')!.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
    await flush();
    expect(requests).toEqual([{}, { email: 'ann@example.com' }]);
    expect(box.querySelector('[data-pp=transcript-error]')?.textContent).toBe(EN_FORMS.transcriptLimit);
    expect(box.querySelector('[data-pp=transcript-sent]')).toBeNull();
  });
});
