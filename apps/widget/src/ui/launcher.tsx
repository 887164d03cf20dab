import type { Ref } from 'preact';
import { CHAT_ICON, CLOSE_ICON } from './icons.js';
import { Icon } from './icon.js';
import { STRINGS } from './strings.js';

interface TLauncherProps {
  isOpen: boolean;
  unread: number;
  onToggle: () => void;
  buttonRef: Ref<HTMLButtonElement>;
}

export function Launcher({ isOpen, unread, onToggle, buttonRef }: TLauncherProps) {
  const showBadge = !isOpen && unread > 0;
  const label = isOpen ? STRINGS.closeChat : showBadge ? `${STRINGS.openChat} (${STRINGS.unread(unread)})` : STRINGS.openChat;
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
