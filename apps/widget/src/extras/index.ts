// Entry of dist/extras.js (see contract.ts). Its `preact` imports resolve to the app's copy (build.mjs).
import { uploadFile } from '../transport/upload-file.js';
import { AwayForm } from '../ui/away-form.js';
import { CsatPrompt } from '../ui/csat-prompt.js';
import { PreChatForm } from '../ui/pre-chat-form.js';
import { UploadList } from '../ui/upload-list.js';
import { FORMS_CSS } from '../ui/styles.js';
import { DE_FORMS } from '../lang/de.js';
import { EN_FORMS } from '../lang/en.js';
import { ES_FORMS } from '../lang/es.js';
import { FR_FORMS } from '../lang/fr.js';
import { EXTRAS_GLOBAL } from './contract.js';

window[EXTRAS_GLOBAL] = {
  PreChatForm,
  AwayForm,
  CsatPrompt,
  UploadList,
  uploadFile,
  strings: { en: EN_FORMS, fr: FR_FORMS, de: DE_FORMS, es: ES_FORMS },
  css: FORMS_CSS,
};
