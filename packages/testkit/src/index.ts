export * from './fake-telegram.js';
export * from './stack.js';
export * from './chromium.js';
