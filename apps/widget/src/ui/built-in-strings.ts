import { EN } from '../lang/en.js';
import type { TLanguage, TStrings } from './i18n.js';

/**
 * The texts compiled into this build of the app. This file is app.js's; build.mjs swaps it for the French,
 * German and Spanish builds (app-fr.js, …).
 */
export const BUILT_IN: { language: TLanguage; strings: TStrings } = { language: 'en', strings: EN };
