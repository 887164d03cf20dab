import type { Ref } from 'preact';
import type { TWidgetController } from '../app/widget-controller.js';
import type { TWidgetState } from '../app/widget-state.js';
import { Composer } from './composer.js';
import { CLOSE_ICON } from './icons.js';
import { Icon } from './icon.js';
import { MessageList } from './message-list.js';
import { STRINGS } from './strings.js';

interface TPanelProps {
  state: TWidgetState;
  controller: TWidgetController;
  inputRef: Ref<HTMLTextAreaElement>;
  onClose: () => void;
}

export function Panel({ state, controller, inputRef, onClose }: TPanelProps) {
  const title = STRINGS.chatWith(state.settings.operatorName);
  return (
    <div
      id="pp-panel"
      class="pp-panel"
      data-pp="panel"
      role="dialog"
      aria-label={title}
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.stopPropagation();
          onClose();
        }
      }}
    >
      <div class="pp-header">
        <h2 class="pp-title">{state.settings.operatorName}</h2>
        <button type="button" class="pp-icon-btn" data-pp="close" aria-label={STRINGS.closeChat} onClick={onClose}>
          <Icon path={CLOSE_ICON} />
        </button>
      </div>
      <Status connection={state.connection} />
      <MessageList messages={state.chat.messages} pending={state.chat.pending} settings={state.settings} onRetry={controller.retry} />
      <Composer onSend={controller.send} inputRef={inputRef} />
    </div>
  );
}

function Status({ connection }: { connection: TWidgetState['connection'] }) {
  const { phase, error, willRetry } = connection;
  let text: string;
  if (phase === 'connected') text = STRINGS.connected;
  else if (error !== null) text = STRINGS.connectError(error, willRetry || phase === 'reconnecting');
  else text = phase === 'connecting' ? STRINGS.connecting : phase === 'reconnecting' ? STRINGS.reconnecting : STRINGS.disconnected;
  // An error stays on screen (data-state=error) through the retries until a connect succeeds.
  const state = phase !== 'connected' && error !== null ? 'error' : phase;
  return (
    <div class="pp-status" data-pp="status" data-state={state} role="status">
      {text}
    </div>
  );
}
