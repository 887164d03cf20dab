export * from './plans.js';
export * from './billing-state.js';
export * from './entitlements.js';
export * from './usage-period.js';
export * from './limits.js';
export * from './usage-alerts.js';
