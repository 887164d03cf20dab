// Entry of dist/lang-en.js: hands the English texts to an app built for another language.
import { LANG_GLOBAL } from '../ui/i18n.js';
import { EN } from './en.js';

window[LANG_GLOBAL]?.('en', EN);
