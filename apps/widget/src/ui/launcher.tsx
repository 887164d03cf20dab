import type { Ref } from 'preact';
import type { TStrings } from './i18n.js';
import { CHAT_ICON, CLOSE_ICON } from './icons.js';
import { Icon } from './icon.js';

interface TLauncherProps {
  isOpen: boolean;
  unread: number;
  t: TStrings;
  onToggle: () => void;
  buttonRef: Ref<HTMLButtonElement>;
}

export function Launcher({ isOpen, unread, t, onToggle, buttonRef }: TLauncherProps) {
  const showBadge = !isOpen && unread > 0;
  const label = isOpen ? t.closeChat : showBadge ? `${t.openChat} (${t.unread(unread)})` : t.openChat;
  return (
    <button
      ref={buttonRef}
      type="button"
      class="pp-launcher"
      data-pp="launcher"
      aria-label={label}
      aria-expanded={isOpen}
      aria-controls="pp-panel"
      onClick={onToggle}
    >
      <Icon path={isOpen ? CLOSE_ICON : CHAT_ICON} />
      {showBadge && (
        <span class="pp-badge" data-pp="unread" aria-hidden="true">
          {unread > 99 ? '99+' : unread}
        </span>
      )}
    </button>
  );
}
