export * from './fake-telegram.js';
export * from './fake-discord.js';
export * from './fake-slack.js';
export * from './stack.js';
export * from './chromium.js';
export * from './fake-smtp.js';
export * from './fake-oauth.js';
export * from './oversized-body.js';
