// Conversation actions: one file per verb, each the one place where that change happens, whoever asks for it
// (dashboard, chat apps, commands, the widget, and later the AI and the API). Apps wire the ports once.
export * from './ports.js';
export * from './post-operator-message.js';
export * from './change-conversation-status.js';
export * from './mark-conversation-read.js';
export * from './change-operator-message.js';
export * from './visitor-ports.js';
export * from './post-visitor-message.js';
export * from './record-visitor-event.js';
export * from './submit-pre-chat.js';
export * from './rate-conversation.js';
export * from './mark-read-by-visitor.js';
export * from './is-rating-requested.js';
export * from './widget-note.js';
export * from './post-ai-message.js';
export * from './post-ai-note.js';
export * from './change-conversation-ai.js';
export * from './stop-ai-for-human.js';
export * from './note-visitor-left.js';
export * from './attach-visitor-upload.js';
export * from './attach-operator-upload.js';
export * from './action-audit.js';
export * from './assign-conversation.js';
export * from './change-conversation-tags.js';
export * from './match-member.js';
