import type { Ref } from 'preact';
import type { TUpload } from '../app/form-types.js';
import type { TExtras } from '../extras/contract.js';
import { LIMITS } from '../transport/protocol.js';
import type { TStrings } from './i18n.js';
import { ATTACH_ICON, SEND_ICON } from './icons.js';
import { Icon } from './icon.js';

interface TComposerProps {
  t: TStrings;
  onSend: (text: string) => boolean;
  /** Every change of the text (typing indicator). */
  onInput: (text: string) => void;
  onBlur: () => void;
  onFiles: (files: ArrayLike<File>) => void;
  onRemoveUpload: (id: string) => void;
  uploads: readonly TUpload[];
  /** Shown above the input (role=alert): a file too large, an upload refused. */
  notice: string | null;
  inputRef: Ref<HTMLTextAreaElement>;
  /** Length of the draft near the limit (0 below it): shown as a counter, with the limit once over it. */
  draft: number;
  /** Opens (or closes) the emoji picker. */
  onTool: (tool: 'emoji') => void;
  /** From extras.js, which the first picked file loads (with the uploader). */
  UploadList: TExtras['UploadList'] | undefined;
}

export function Composer({
  t,
  onSend,
  onInput,
  onBlur,
  onFiles,
  onRemoveUpload,
  uploads,
  notice,
  inputRef,
  UploadList,
  draft,
  onTool,
}: TComposerProps) {
  const isOver = draft > LIMITS.messageBodyMax;
  const isUploading = uploads.some((u) => u.status === 'uploading');

  // The textarea is uncontrolled: its value is read when sending (no state, no re-render per keystroke).
  const submit = (input: HTMLTextAreaElement | null | undefined) => {
    if (input && onSend(input.value)) {
      input.value = '';
      autoGrow(input);
    }
  };

  return (
    <div>
      {notice && (
        <div class="pp-notice" data-pp="notice" role="alert">
          {notice}
        </div>
      )}
      {draft > 0 && (
        <div
          class={isOver ? 'pp-notice' : 'pp-note'}
          data-pp="count"
          data-state={isOver ? 'over' : 'near'}
          role={isOver ? 'alert' : undefined}
        >
          {`${draft}/${LIMITS.messageBodyMax}`}
          {isOver && ` · ${t.tooLong}`}
        </div>
      )}
      {uploads.length > 0 && UploadList && <UploadList uploads={uploads} t={t} onRemove={onRemoveUpload} />}
      <div class="pp-composer">
        <input
          type="file"
          multiple
          hidden
          data-pp="file"
          tabIndex={-1}
          aria-hidden="true"
          onChange={(e) => {
            const files = e.currentTarget.files;
            if (files && files.length > 0) onFiles(files);
            e.currentTarget.value = ''; // picking the same file again must fire change
          }}
        />
        <button
          type="button"
          class="pp-btn"
          data-pp="attach"
          aria-label={t.attach}
          onClick={(e) => e.currentTarget.parentElement?.querySelector<HTMLInputElement>('input[type=file]')?.click()}
        >
          <Icon path={ATTACH_ICON} />
        </button>
        <button type="button" class="pp-btn" data-pp="emoji" aria-label={t.emoji} onClick={() => onTool('emoji')}>
          ☺
        </button>
        <textarea
          ref={inputRef}
          class="pp-input"
          data-pp="input"
          rows={1}
          aria-label={t.inputLabel}
          placeholder={t.placeholder}
          onInput={(e) => {
            onInput(e.currentTarget.value);
            autoGrow(e.currentTarget);
          }}
          onBlur={onBlur}
          onPaste={(e) => {
            const files = e.clipboardData?.files;
            if (files && files.length > 0) {
              e.preventDefault();
              onFiles(files);
            }
          }}
          onKeyDown={(e) => {
            // Enter sends, Shift+Enter is a newline; Enter that confirms an IME composition is neither.
            if (e.key !== 'Enter' || e.shiftKey || e.isComposing || e.keyCode === 229) return;
            e.preventDefault();
            submit(e.currentTarget);
          }}
        />
        <button
          type="button"
          class="pp-send"
          data-pp="send"
          aria-label={t.send}
          disabled={isUploading}
          onClick={(e) => submit(e.currentTarget.parentElement?.querySelector('textarea'))}
        >
          <Icon path={SEND_ICON} />
        </button>
      </div>
    </div>
  );
}

/** Grows the textarea with its content up to the CSS max-height (CSSOM write, CSP-safe). */
function autoGrow(input: HTMLTextAreaElement) {
  input.style.height = 'auto';
  input.style.height = `${input.scrollHeight + 2}px`;
}
