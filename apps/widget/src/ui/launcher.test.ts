// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { createRef, h, render } from 'preact';
import { DE } from '../lang/de.js';
import { EN } from '../lang/en.js';
import { Launcher } from './launcher.js';

let host: HTMLElement;
afterEach(() => {
  render(null, host);
  host.remove();
});

function mount(props: { isOpen: boolean; unread: number; t?: typeof EN }) {
  host = document.createElement('div');
  document.body.appendChild(host);
  let toggles = 0;
  render(
    h(Launcher, {
      isOpen: props.isOpen,
      unread: props.unread,
      t: props.t ?? EN,
      onToggle: () => void toggles++,
      buttonRef: createRef(),
    }),
    host,
  );
  const button = host.querySelector<HTMLButtonElement>('[data-pp="launcher"]')!;
  return { button, badge: () => host.querySelector('[data-pp="unread"]'), toggles: () => toggles };
}

describe('Launcher', () => {
  it('shows the unread count on the badge and in the accessible name', () => {
    const l = mount({ isOpen: false, unread: 3 });
    expect(l.badge()?.textContent).toBe('3');
    expect(l.button.getAttribute('aria-label')).toBe('Open chat (3 unread messages)');
    expect(l.button.getAttribute('aria-expanded')).toBe('false');
    l.button.click();
    expect(l.toggles()).toBe(1);
  });

  it('caps the badge at 99+, hides it at zero and while open', () => {
    expect(mount({ isOpen: false, unread: 150 }).badge()?.textContent).toBe('99+');
    render(null, host);
    expect(mount({ isOpen: false, unread: 0 }).badge()).toBeNull();
    render(null, host);
    const open = mount({ isOpen: true, unread: 5 });
    expect(open.badge()).toBeNull();
    expect(open.button.getAttribute('aria-label')).toBe('Close chat');
    expect(open.button.getAttribute('aria-expanded')).toBe('true');
  });

  it('speaks the widget language', () => {
    expect(mount({ isOpen: false, unread: 1, t: DE }).button.getAttribute('aria-label')).toBe(
      'Chat öffnen (1 ungelesene Nachricht)',
    );
  });
});
