export * from './ingest-inbound-event.js';
