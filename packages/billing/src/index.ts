export * from './plans.js';
export * from './billing-state.js';
