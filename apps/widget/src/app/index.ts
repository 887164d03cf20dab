// Entry of dist/app.js: the chat itself, loaded by the loader on demand. It only registers itself; the loader
// calls mount() once this script has run.
import { APP_GLOBAL } from '../shared/app-contract.js';
import { mountApp } from './mount-app.js';

window[APP_GLOBAL] = { mount: mountApp };
