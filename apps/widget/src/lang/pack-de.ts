// Entry of dist/lang-de.js: hands the German texts to an app built for another language.
import { LANG_GLOBAL } from '../ui/i18n.js';
import { DE } from './de.js';

window[LANG_GLOBAL]?.('de', DE);
