export * from './plans.js';
export * from './billing-state.js';
export * from './stripe/types.js';
export * from './stripe/subscription-snapshot.js';
export * from './stripe/checkout.js';
export * from './stripe/webhook-event.js';
