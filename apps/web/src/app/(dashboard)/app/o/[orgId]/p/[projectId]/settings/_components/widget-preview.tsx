'use client';

import type { TProjectSettings } from '@pocketping/protocol';

type TLang = 'en' | 'fr' | 'de' | 'es';

// The widget's own texts (apps/widget/src/lang), the few the preview shows.
const TEXTS: Record<
  TLang,
  {
    openChat: string;
    placeholder: string;
    send: string;
    online: string;
    away: string;
    email: string;
    name: string;
    optional: string;
    preChatTitle: string;
    preChatAfter: string;
    start: string;
    awayTitle: string;
  }
> = {
  en: {
    openChat: 'Open chat',
    placeholder: 'Write a message…',
    send: 'Send',
    online: 'Online',
    away: 'Away',
    email: 'Email',
    name: 'Name',
    optional: '(optional)',
    preChatTitle: 'Before we start, how can we reach you?',
    preChatAfter: 'Leave your details so we can follow up:',
    start: 'Start chat',
    awayTitle: 'We are away right now. Leave your email and we will reply there:',
  },
  fr: {
    openChat: 'Ouvrir le chat',
    placeholder: 'Écrivez un message…',
    send: 'Envoyer',
    online: 'En ligne',
    away: 'Absent',
    email: 'E-mail',
    name: 'Nom',
    optional: '(facultatif)',
    preChatTitle: 'Avant de commencer, comment vous joindre ?',
    preChatAfter: 'Laissez vos coordonnées pour que nous puissions vous recontacter :',
    start: 'Démarrer',
    awayTitle: 'Nous sommes absents. Laissez votre e-mail, nous vous répondrons par ce biais :',
  },
  de: {
    openChat: 'Chat öffnen',
    placeholder: 'Nachricht schreiben…',
    send: 'Senden',
    online: 'Online',
    away: 'Abwesend',
    email: 'E-Mail',
    name: 'Name',
    optional: '(optional)',
    preChatTitle: 'Bevor es losgeht: Wie erreichen wir Sie?',
    preChatAfter: 'Hinterlassen Sie Ihre Daten, damit wir uns melden können:',
    start: 'Chat starten',
    awayTitle: 'Wir sind gerade nicht da. Hinterlassen Sie Ihre E-Mail, wir antworten dorthin:',
  },
  es: {
    openChat: 'Abrir chat',
    placeholder: 'Escribe un mensaje…',
    send: 'Enviar',
    online: 'En línea',
    away: 'Ausente',
    email: 'Correo electrónico',
    name: 'Nombre',
    optional: '(opcional)',
    preChatTitle: 'Antes de empezar, ¿cómo podemos contactarte?',
    preChatAfter: 'Déjanos tus datos para que podamos responderte:',
    start: 'Empezar',
    awayTitle: 'Ahora no estamos. Déjanos tu correo y te responderemos allí:',
  },
};

/** Same rule as the widget (apps/widget/src/shared/appearance.ts): dark text on light brand colours. */
function readableTextColor(hex: string): string {
  if (!/^#[0-9a-fA-F]{6}$/.test(hex)) return '#ffffff';
  const channel = (offset: number) => {
    const c = parseInt(hex.slice(offset, offset + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
  };
  const l = 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
  return l > 0.18 ? '#111827' : '#ffffff';
}

function safeImage(url: string | null): string | null {
  if (!url) return null;
  try {
    const u = new URL(url);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.href : null;
  } catch {
    return null;
  }
}

export type TPreviewMode = 'online' | 'away' | 'prechat';

/**
 * A React mock of the widget (launcher + open panel) driven by the draft settings, so every change shows at once.
 * It mirrors the real widget's layout and texts; the real thing is one click away on the test page.
 */
export function WidgetPreview({
  settings,
  mode,
  browserLanguage,
}: {
  settings: TProjectSettings;
  mode: TPreviewMode;
  browserLanguage: string;
}) {
  const lang: TLang =
    settings.language === 'auto'
      ? ((['en', 'fr', 'de', 'es'] as const).find((l) => browserLanguage.toLowerCase().startsWith(l)) ?? 'en')
      : settings.language;
  const t = TEXTS[lang];
  const fg = readableTextColor(settings.color);
  const avatar = safeImage(settings.avatarUrl);
  const name = settings.operatorName.trim() || 'Support';
  const showPreChat = mode === 'prechat' && settings.preChat.enabled;
  const status =
    mode === 'online' ? t.online : settings.replyTimeMinutes ? `~${settings.replyTimeMinutes} min` : t.away;
  return (
    <div
      className={`wp-stage wp-${settings.position}`}
      data-testid="widget-preview"
      data-position={settings.position}
      data-language={lang}
      style={{ ['--wp-color' as string]: settings.color, ['--wp-fg' as string]: fg }}
    >
      <div className="wp-panel" role="img" aria-label="Widget preview">
        <div className="wp-header">
          <div className="wp-avatar">
            {avatar ? <img src={avatar} alt="" referrerPolicy="no-referrer" /> : name.charAt(0).toUpperCase()}
            <span className={`wp-dot ${mode === 'online' ? 'on' : 'off'}`} />
          </div>
          <div className="wp-names">
            <div className="wp-title" title={name}>
              {name}
            </div>
            <div className="wp-status">{status}</div>
          </div>
          <span className="wp-close" aria-hidden="true">
            ×
          </span>
        </div>
        <div className="wp-body">
          {settings.greeting.trim() ? <div className="wp-bubble op">{settings.greeting}</div> : null}
          {mode === 'away' && settings.awayMessage ? (
            <div className="wp-bubble op wp-away">{settings.awayMessage}</div>
          ) : null}
          {mode === 'away' && !settings.awayMessage ? <div className="wp-note">{t.awayTitle}</div> : null}
          {showPreChat ? (
            <div className="wp-form">
              <div className="wp-note">{settings.preChat.mode === 'before' ? t.preChatTitle : t.preChatAfter}</div>
              <div className="wp-input">
                {t.email}
                {settings.preChat.emailRequired ? '' : ` ${t.optional}`}
              </div>
              {settings.preChat.askName ? (
                <div className="wp-input">
                  {t.name} {t.optional}
                </div>
              ) : null}
              {settings.preChat.fields.map((f) => (
                <div key={f.name} className="wp-input">
                  {f.label}
                  {f.required ? '' : ` ${t.optional}`}
                </div>
              ))}
              <div className="wp-send">{t.start}</div>
            </div>
          ) : mode !== 'away' ? (
            <div className="wp-bubble me">👋</div>
          ) : null}
        </div>
        <div className="wp-composer">
          <span>{t.placeholder}</span>
          <span className="wp-send">{t.send}</span>
        </div>
      </div>
      <div className="wp-launcher" aria-label={t.openChat} title={t.openChat}>
        <svg viewBox="0 0 24 24" width="26" height="26" aria-hidden="true">
          <path fill="currentColor" d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H8l-4 4V6a2 2 0 0 1 2-2z" />
        </svg>
      </div>
    </div>
  );
}
