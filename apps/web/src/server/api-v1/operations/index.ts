import type { TApiHandler } from '../api-route';
import { listConnections } from './connections';
import {
  closeConversation,
  getConversation,
  listConversations,
  reopenConversation,
  updateConversation,
} from './conversations';
import { listMessages, sendMessage } from './messages';
import { getProject, listProjects } from './projects';
import { getStats } from './stats';
import {
  deleteVisitor,
  exportVisitorOperation,
  getVisitor,
  pushVisitorEventOperation,
  updateVisitor,
} from './visitors';
import {
  createWebhookEndpoint,
  deleteWebhookEndpoint,
  getWebhookEndpoint,
  listWebhookDeliveries,
  listWebhookEndpoints,
  replayWebhookDelivery,
  rotateWebhookEndpointSecret,
  sendWebhookTestEvent,
  updateWebhookEndpoint,
} from './webhooks';

/** Every /api/v1 operation, in the order of the OpenAPI document. A new operation: its file, a line here, its route.ts. */
export const API_OPERATIONS: TApiHandler[] = [
  listProjects,
  getProject,
  listConversations,
  getConversation,
  updateConversation,
  closeConversation,
  reopenConversation,
  listMessages,
  sendMessage,
  getVisitor,
  updateVisitor,
  deleteVisitor,
  exportVisitorOperation,
  listConnections,
  pushVisitorEventOperation,
  listWebhookEndpoints,
  createWebhookEndpoint,
  getWebhookEndpoint,
  updateWebhookEndpoint,
  deleteWebhookEndpoint,
  rotateWebhookEndpointSecret,
  listWebhookDeliveries,
  replayWebhookDelivery,
  sendWebhookTestEvent,
  getStats,
];
