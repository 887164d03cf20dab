// Entry of dist/app.js: the chat itself, loaded by the loader on demand. It only registers itself; the loader
// calls mount() once this script has run.
import { Fragment, h, options } from 'preact';
import { jsx, jsxs } from 'preact/jsx-runtime';
import { PREACT_GLOBAL } from '../extras/contract.js';
import { APP_GLOBAL } from '../shared/app-contract.js';
import { mountApp } from './mount-app.js';

// What extras.js needs from Preact (build.mjs maps its imports here): one shared copy. extras.js brings
// preact/hooks itself (the app does not use hooks), which plugs into this copy through `options`.
window[PREACT_GLOBAL] = { Fragment, h, options, jsx, jsxs };
window[APP_GLOBAL] = { mount: mountApp };
