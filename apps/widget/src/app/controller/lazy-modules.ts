// The controller's concerns that only some visitors need, shipped in extras.js beside the forms and the uploader
// (src/extras/index.ts) and fetched on first use. Kept out of the extras contract (TExtras), which the widget state
// names, so that no import circle runs through the controller's core.
import type { createFormSubmits } from './form-submits.js';
import type { createUploads } from './uploads.js';

export interface TLazyModules {
  createUploads: typeof createUploads;
  createFormSubmits: typeof createFormSubmits;
}
