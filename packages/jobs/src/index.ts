export * from './names.js';
export * from './contracts.js';
export * from './redis.js';
export * from './producer.js';
export * from './pair-lock.js';
