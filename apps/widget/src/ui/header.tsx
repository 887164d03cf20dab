import type { TPresenceEvent, TWidgetSettings } from '@pocketping/protocol';
import type { TStrings } from './i18n.js';
import { CLOSE_ICON } from './icons.js';
import { Icon } from './icon.js';
import { safeHref } from '@pocketping/markdown';

/** The header status line, from the `presence` event; the project's reply time until it arrives. */
export function presenceText(
  presence: TPresenceEvent | null,
  settings: TWidgetSettings,
  t: TStrings,
): { state: 'online' | 'away' | 'unknown'; text: string } {
  if (presence?.status === 'online') return { state: 'online', text: t.online };
  const minutes = presence ? presence.replyTimeMinutes : (settings.replyTimeMinutes ?? null);
  if (minutes) return { state: presence ? 'away' : 'unknown', text: t.repliesIn(minutes) };
  return presence ? { state: 'away', text: t.away } : { state: 'unknown', text: '' };
}

interface THeaderProps {
  settings: TWidgetSettings;
  presence: TPresenceEvent | null;
  t: TStrings;
  titleId: string;
  onClose: () => void;
  /** Opens (or closes) the menu. */
  onTool: (tool: 'menu') => void;
}

export function Header({ settings, presence, t, titleId, onClose, onTool }: THeaderProps) {
  const status = presenceText(presence, settings, t);
  const avatar = settings.avatarUrl ? safeHref(settings.avatarUrl) : null;
  return (
    <div class="pp-header">
      <div class="pp-avatar" aria-hidden="true">
        {avatar ? (
          <img src={avatar} alt="" referrerpolicy="no-referrer" />
        ) : (
          (settings.operatorName.trim().charAt(0) || '?').toUpperCase()
        )}
        {status.state !== 'unknown' && <span class={`pp-dot pp-${status.state}`} />}
      </div>
      <div class="pp-heading">
        <h2 class="pp-title" id={titleId}>
          {settings.operatorName}
        </h2>
        {status.text && (
          <div class="pp-presence" data-pp="presence" data-state={status.state}>
            {status.text}
          </div>
        )}
      </div>
      <button type="button" class="pp-btn" data-pp="menu" aria-label={t.menu} onClick={() => onTool('menu')}>
        ⋯
      </button>
      <button type="button" class="pp-btn" data-pp="close" aria-label={t.closeChat} onClick={onClose}>
        <Icon path={CLOSE_ICON} />
      </button>
    </div>
  );
}
