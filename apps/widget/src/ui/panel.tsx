import type { Ref } from 'preact';
import type { TWidgetController } from '../app/widget-controller.js';
import type { TWidgetState } from '../app/widget-state.js';
import { Composer } from './composer.js';
import { Header } from './header.js';
import type { TStrings } from './i18n.js';
import { MessageList } from './message-list.js';
import { panelCards } from '../app/panel-cards.js';

interface TPanelProps {
  state: TWidgetState;
  controller: TWidgetController;
  inputRef: Ref<HTMLTextAreaElement>;
  onClose: () => void;
}

export function Panel({ state, controller, inputRef, onClose }: TPanelProps) {
  const t = state.t;
  const cards = panelCards(state);
  const preChat = state.settings.preChat;
  // The forms live in extras.js: the controller fetches it as soon as one of them is due (panelCards).
  const x = state.extras;
  const ft = x?.strings[state.language];
  return (
    <div
      id="pp-panel"
      class="pp-panel"
      data-pp="panel"
      role="dialog"
      aria-labelledby="pp-title"
      lang={state.language}
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.stopPropagation();
          onClose();
        }
      }}
      onDragOver={(e) => e.preventDefault()}
      onDrop={(e) => {
        const files = e.dataTransfer?.files;
        if (files && files.length > 0) {
          e.preventDefault();
          controller.addFiles(files);
        }
      }}
    >
      <Header
        settings={state.settings}
        presence={state.presence}
        t={t}
        titleId="pp-title"
        onClose={onClose}
        onTool={controller.tool}
      />
      <Status connection={state.connection} t={t} />
      <MessageList
        messages={state.chat.messages}
        previous={state.chat.previous}
        pending={state.chat.pending}
        settings={state.settings}
        receipts={state.receipts}
        typing={state.typing}
        aiStream={state.aiStream}
        aiNotice={state.aiNotice}
        lang={state.language}
        t={t}
        onRetry={controller.retry}
      >
        {state.conversationStatus === 'closed' && (
          <div class="pp-note" data-pp="closed">
            {t.closedNote}
          </div>
        )}
        {cards.csat && x && ft && (
          <x.CsatPrompt
            state={state.forms.csat}
            t={ft}
            onSubmit={(score, comment) => void controller.submitCsat(score, comment)}
          />
        )}
        {cards.preChatCard && preChat && x && ft && (
          <x.PreChatForm
            config={preChat}
            mode="after"
            state={state.forms.preChat}
            t={ft}
            onSubmit={(a) => void controller.submitPreChat(a)}
            onSkip={controller.dismissPreChat}
          />
        )}
        {cards.away && x && ft && (
          <x.AwayForm
            state={state.forms.away}
            t={ft}
            message={state.settings.awayMessage}
            onSubmit={(email) => void controller.submitAwayEmail(email)}
          />
        )}
      </MessageList>
      {state.tool && x && <x.Tool state={state} controller={controller} inputRef={inputRef} />}
      {cards.gate && preChat ? (
        x &&
        ft && (
          <x.PreChatForm
            config={preChat}
            mode="before"
            state={state.forms.preChat}
            t={ft}
            onSubmit={(a) => void controller.submitPreChat(a)}
          />
        )
      ) : (
        <Composer
          t={t}
          onSend={controller.send}
          onInput={controller.onInput}
          onBlur={controller.onBlur}
          onFiles={controller.addFiles}
          onRemoveUpload={controller.removeUpload}
          uploads={state.uploads}
          notice={state.notice}
          inputRef={inputRef}
          UploadList={x?.UploadList}
          draft={state.draft}
          onTool={controller.tool}
        />
      )}
      {state.settings.branding && <div class="pp-note">Powered by PocketPing</div>}
    </div>
  );
}

function Status({ connection, t }: { connection: TWidgetState['connection']; t: TStrings }) {
  const { phase, error, willRetry } = connection;
  let text: string;
  if (phase === 'connected') text = t.connected;
  else if (error !== null) text = t.connectError(error, willRetry || phase === 'reconnecting');
  else text = phase === 'connecting' ? t.connecting : phase === 'reconnecting' ? t.reconnecting : t.disconnected;
  // An error stays on screen (data-state=error) through the retries until a connect succeeds.
  const state = phase !== 'connected' && error !== null ? 'error' : phase;
  return (
    <div class="pp-status" data-pp="status" data-state={state} role="status">
      {text}
    </div>
  );
}
