// Entry of dist/extras.js (see contract.ts). Its `preact` imports resolve to the app's copy (build.mjs).
import { createUploads } from '../app/controller/uploads.js';
import { createFormSubmits } from '../app/controller/form-submits.js';
import { AwayForm } from '../ui/away-form.js';
import { CsatPrompt } from '../ui/csat-prompt.js';
import { PreChatForm } from '../ui/pre-chat-form.js';
import { UploadList } from '../ui/upload-list.js';
import { Tool } from '../ui/tool.js';
import { FORMS_CSS } from '../ui/styles.js';
import { DE_FORMS } from '../lang/de.js';
import { EN_FORMS } from '../lang/en.js';
import { ES_FORMS } from '../lang/es.js';
import { FR_FORMS } from '../lang/fr.js';
import { EXTRAS_GLOBAL, type TExtras } from './contract.js';
import type { TLazyModules } from '../app/controller/lazy-modules.js';

const extras = {
  PreChatForm,
  AwayForm,
  CsatPrompt,
  UploadList,
  Tool,
  createUploads,
  createFormSubmits,
  strings: { en: EN_FORMS, fr: FR_FORMS, de: DE_FORMS, es: ES_FORMS },
  css: FORMS_CSS,
} satisfies TExtras & TLazyModules;
window[EXTRAS_GLOBAL] = extras;
