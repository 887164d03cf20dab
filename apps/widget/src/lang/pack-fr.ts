// Entry of dist/lang-fr.js: hands the French texts to an app built for another language.
import { LANG_GLOBAL } from '../ui/i18n.js';
import { FR } from './fr.js';

window[LANG_GLOBAL]?.('fr', FR);
