import type { TUpload } from '../app/form-types.js';
import { formatSize } from './format.js';
import type { TStrings } from './i18n.js';
import { CLOSE_ICON } from './icons.js';
import { Icon } from './icon.js';

/** Files picked for the next message, with their upload progress; ships in extras.js with the uploader. */
export function UploadList({
  uploads,
  t,
  onRemove,
}: {
  uploads: readonly TUpload[];
  t: TStrings;
  onRemove: (id: string) => void;
}) {
  return (
    <ul class="pp-uploads" data-pp="uploads">
      {uploads.map((u) => (
        <li key={u.id} data-pp="upload" data-state={u.status}>
          <span class="pp-name">{u.name}</span>
          <span class="pp-size">{u.status === 'failed' ? u.error : formatSize(u.size)}</span>
          {u.status === 'uploading' && (
            <progress
              max={100}
              value={Math.round(u.progress * 100)}
              aria-label={`${t.uploading} ${u.name}`}
              data-pp="progress"
            />
          )}
          <button type="button" class="pp-btn" aria-label={t.removeFile(u.name)} onClick={() => onRemove(u.id)}>
            <Icon path={CLOSE_ICON} />
          </button>
        </li>
      ))}
    </ul>
  );
}
