// Entry of dist/lang-es.js: hands the Spanish texts to an app built for another language.
import { LANG_GLOBAL } from '../ui/i18n.js';
import { ES } from './es.js';

window[LANG_GLOBAL]?.('es', ES);
