// Files the visitor picks, drops or pastes: checked for size, uploaded with progress (this module and the uploader
// live in extras.js, fetched with the first file), and sent with the next message as attachment ids.
import { uploadFile, type TUploadHandle } from '../../transport/upload-file.js';
import { UPLOAD_MAX_BYTES } from '../../transport/protocol.js';
import type { TUpload } from '../widget-state.js';
import type { TCore } from './core.js';

/** Files waiting at once beside the composer. */
const MAX_UPLOADS = 10;

export function createUploads(core: TCore) {
  const { deps, get, set } = core;
  const handles = new Map<string, TUploadHandle>();
  let uploadIds = 0;
  const patch = (id: string, change: Partial<TUpload>) =>
    set({ uploads: get().uploads.map((u) => (u.id === id ? { ...u, ...change } : u)) });

  return {
    addFiles(files: ArrayLike<File>) {
      // This module ships in extras.js with the XHR uploader; tests give their own.
      const upload = deps.upload ?? ((o) => uploadFile({ ...o, realtimeUrl: deps.config.realtimeUrl }));
      set({ notice: null });
      for (const file of Array.from(files)) {
        if (get().uploads.length >= MAX_UPLOADS) break;
        if (file.size > UPLOAD_MAX_BYTES) {
          set({ notice: get().t.fileTooLarge(file.name, '10 MB') });
          continue;
        }
        const id = `u${++uploadIds}`;
        set({
          uploads: [
            ...get().uploads,
            { id, name: file.name, size: file.size, progress: 0, status: 'uploading', error: null, attachment: null },
          ],
        });
        const handle = upload({
          projectKey: deps.config.projectKey,
          visitorToken: core.visitorToken(),
          file,
          onProgress: (progress) => patch(id, { progress }),
        });
        handles.set(id, handle);
        void handle.done.then((res) => {
          handles.delete(id);
          if (core.isDestroyed) return;
          if (res.ok) patch(id, { status: 'done', progress: 1, attachment: res.attachment });
          else if (res.error.code !== 'aborted') patch(id, { status: 'failed', error: res.error.message });
        });
      }
    },

    removeUpload(id: string) {
      handles.get(id)?.abort();
      set({ uploads: get().uploads.filter((u) => u.id !== id) });
    },

    abortAll() {
      for (const handle of handles.values()) handle.abort();
    },
  };
}
