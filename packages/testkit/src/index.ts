export * from './fake-telegram.js';
