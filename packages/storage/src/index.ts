export * from './storage.js';
export * from './local-storage.js';
export * from './s3-storage.js';
export * from './file-url-signer.js';
export * from './sniff-content-type.js';
export * from './create-storage-from-config.js';
export * from './store-upload-stream.js';
export * from './storage-quota.js';
