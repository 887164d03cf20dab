// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createRef, h, render } from 'preact';
import { createTypingNotifier } from '../app/typing-notifier.js';
import type { TUpload } from '../app/form-types.js';
import { Composer } from './composer.js';
import { EN } from '../lang/en.js';
import { UploadList } from './upload-list.js';

let host: HTMLElement;
afterEach(() => {
  render(null, host);
  host.remove();
  vi.useRealTimers();
});

function mount(over: Partial<Omit<Parameters<typeof Composer>[0], 'draft'>> & { draft?: number } = {}) {
  host = document.createElement('div');
  document.body.appendChild(host);
  const sent: string[] = [];
  const inputs: string[] = [];
  let blurs = 0;
  const inputRef = createRef<HTMLTextAreaElement>();
  render(
    h(Composer, {
      t: EN,
      onSend: (text: string) => (text.trim() ? (sent.push(text), true) : false),
      onInput: (text: string) => void inputs.push(text),
      onBlur: () => void blurs++,
      onFiles: () => undefined,
      onRemoveUpload: () => undefined,
      onTool: () => undefined,
      uploads: [],
      notice: null,
      inputRef,
      UploadList,
      ...over,
      draft: over.draft ?? 0,
    }),
    host,
  );
  const input = host.querySelector<HTMLTextAreaElement>('[data-pp="input"]')!;
  const type = (value: string) => {
    input.value = value;
    input.dispatchEvent(new Event('input', { bubbles: true }));
  };
  const key = (k: string, init: KeyboardEventInit = {}) => {
    const e = new KeyboardEvent('keydown', { key: k, bubbles: true, cancelable: true, ...init });
    input.dispatchEvent(e);
    return e;
  };
  return { sent, inputs, input, type, key, blurs: () => blurs };
}

describe('Composer', () => {
  it('Enter sends and clears, Shift+Enter keeps a newline, Enter on empty sends nothing', () => {
    const c = mount();
    c.type('line 1');
    const shift = c.key('Enter', { shiftKey: true });
    expect(shift.defaultPrevented).toBe(false); // the browser inserts the newline
    expect(c.sent).toEqual([]);
    c.type('line 1\nline 2');
    const enter = c.key('Enter');
    expect(enter.defaultPrevented).toBe(true);
    expect(c.sent).toEqual(['line 1\nline 2']);
    expect(c.input.value).toBe('');
    c.key('Enter');
    expect(c.sent).toHaveLength(1);
  });

  it('reports every change (typing indicator) and blur', () => {
    const c = mount();
    c.type('h');
    c.type('he');
    c.input.dispatchEvent(new Event('blur'));
    expect(c.inputs).toEqual(['h', 'he']);
    expect(c.blurs()).toBe(1);
  });

  it('shows the file notice, upload progress, and blocks send while uploading', () => {
    const uploads: TUpload[] = [
      { id: 'u1', name: 'cat.png', size: 2048, progress: 0.42, status: 'uploading', error: null, attachment: null },
    ];
    mount({ uploads, notice: 'huge.zip is too large (max 10 MB)' });
    expect(host.querySelector('[data-pp="notice"]')?.getAttribute('role')).toBe('alert');
    expect(host.querySelector('[data-pp="notice"]')?.textContent).toBe('huge.zip is too large (max 10 MB)');
    expect((host.querySelector('[data-pp="progress"]') as HTMLProgressElement).getAttribute('value')).toBe('42');
    expect((host.querySelector('[data-pp="send"]') as HTMLButtonElement).disabled).toBe(true);
  });
});

describe('typing notifier (the composer’s debounce)', () => {
  it('sends true once, refreshes while typing, false after idle, and false at once on stop', () => {
    vi.useFakeTimers();
    const sent: boolean[] = [];
    const n = createTypingNotifier((v) => sent.push(v), { refreshMs: 3000, idleMs: 4000 });
    n.input(true);
    vi.advanceTimersByTime(1000);
    n.input(true);
    expect(sent).toEqual([true]);
    vi.advanceTimersByTime(2500);
    n.input(true); // 3.5 s after the first: refresh before the server's 6 s expiry
    expect(sent).toEqual([true, true]);
    vi.advanceTimersByTime(4000);
    expect(sent).toEqual([true, true, false]);
    n.input(true);
    n.input(false); // emptied
    expect(sent).toEqual([true, true, false, true, false]);
    n.input(true);
    n.stop();
    n.stop();
    expect(sent).toEqual([true, true, false, true, false, true, false]);
  });
});
