export * from './ai-settings.js';
export * from './build-prompt.js';
export * from './check-budget.js';
export * from './create-openai-client.js';
export * from './generate-ai-reply.js';
export * from './estimate-cost.js';
