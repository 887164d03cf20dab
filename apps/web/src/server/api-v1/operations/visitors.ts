import { z } from 'zod';
import { AppError } from '@pocketping/core';
import { getApiVisitor, updateApiVisitor } from '@pocketping/db';
import { pushVisitorEvent, VISITOR_EVENT_DATA_MAX_BYTES } from '@pocketping/webhooks';
import { apiOperation } from '../api-route';
import { conversationPorts, visitorEventPorts } from '../../inbox/realtime';
import { one, ZApiVisitor, ZApiVisitorExport, ZApiVisitorPatch, ZId } from '../schemas';
import { eraseVisitor, exportVisitor } from '../../privacy/visitor-rights';
import { requestOrigin } from '../../request-origin';

const ZParams = z.strictObject({ visitorId: ZId });

export const getVisitor = apiOperation(
  {
    operationId: 'getVisitor',
    method: 'GET',
    path: '/visitors/{visitorId}',
    tag: 'Visitors',
    summary: 'One visitor',
    params: ZParams,
    response: one(ZApiVisitor),
    errors: [404],
  },
  async ({ app, tenant, params }) => {
    const visitor = await getApiVisitor(app.db, tenant, params.visitorId);
    if (!visitor) throw new AppError('not_found', 'Visitor not found.');
    return { data: visitor };
  },
);

export const updateVisitor = apiOperation(
  {
    operationId: 'updateVisitor',
    method: 'PATCH',
    path: '/visitors/{visitorId}',
    tag: 'Visitors',
    summary: "Update a visitor's identity fields and metadata",
    params: ZParams,
    body: ZApiVisitorPatch,
    response: one(ZApiVisitor),
    errors: [404],
  },
  async ({ app, tenant, params, body }) => {
    const updated = await updateApiVisitor(app.db, tenant, params.visitorId, body);
    if (!updated) throw new AppError('not_found', 'Visitor not found.');
    const { renames, ...visitor } = updated;
    // A new name or email: the visitor's threads in the chat apps are renamed through the outbox.
    await conversationPorts(app).enqueueDeliveries(renames);
    return { data: visitor };
  },
);

export const deleteVisitor = apiOperation(
  {
    operationId: 'deleteVisitor',
    method: 'DELETE',
    path: '/visitors/{visitorId}',
    tag: 'Visitors',
    summary: 'Erase a visitor and everything they wrote (GDPR)',
    description:
      'Deletes the visitor, their conversations with every message in them (replies and notes included) and the ' +
      'files, bytes included. The posts the bot made for them in your chat apps are deleted there in the ' +
      'background, where the platform allows it (docs/privacy.md).',
    params: ZParams,
    response: one(
      z.object({
        id: z.string(),
        deleted: z.literal(true),
        conversations: z.number().int(),
        messages: z.number().int(),
        files: z.number().int(),
      }),
    ),
    errors: [404],
  },
  async ({ app, tenant, params, req }) => {
    const erased = await eraseVisitor(app, tenant, params.visitorId, {
      type: 'api_key',
      id: tenant.apiKeyId,
      origin: requestOrigin(req),
    });
    return {
      data: {
        id: params.visitorId,
        deleted: true as const,
        conversations: erased.conversations,
        messages: erased.messages,
        files: erased.files,
      },
    };
  },
);

export const exportVisitorOperation = apiOperation(
  {
    operationId: 'exportVisitor',
    method: 'GET',
    path: '/visitors/{visitorId}/export',
    tag: 'Visitors',
    summary: 'Everything stored about a visitor (GDPR access)',
    description:
      'Identity, metadata, every conversation with all its messages (internal notes included), the files with ' +
      'their bytes (base64, up to 20 MB per export) and where each conversation was copied in your chat apps. ' +
      'Each export is written to the audit log.',
    params: ZParams,
    response: one(ZApiVisitorExport),
    errors: [404],
  },
  async ({ app, tenant, params, req }) => ({
    data: await exportVisitor(app, tenant, params.visitorId, {
      type: 'api_key',
      id: tenant.apiKeyId,
      origin: requestOrigin(req),
    }),
  }),
);

export const pushVisitorEventOperation = apiOperation(
  {
    operationId: 'pushVisitorEvent',
    method: 'POST',
    path: '/visitors/{visitorId}/events',
    tag: 'Visitors',
    summary: "Push a named event to the visitor's widgets (PocketPing.on(name, fn) on your site)",
    description:
      'Delivered at once to every open widget of the visitor ("live"); when none is open it waits in a bounded ' +
      'queue and is delivered when the visitor comes back ("queued"; the oldest are dropped past the bound). ' +
      `data is any JSON up to ${VISITOR_EVENT_DATA_MAX_BYTES / 1024} KB serialized.`,
    params: ZParams,
    body: z.strictObject({
      name: z
        .string()
        .min(1)
        .max(100)
        .regex(/^[A-Za-z0-9_.:-]+$/, 'letters, digits and _ . : - only')
        .refine(
          (n) => !['open', 'close', 'message', 'unread'].includes(n),
          'open, close, message and unread are reserved',
        )
        .describe('e.g. order.shipped'),
      data: z.unknown().optional(),
    }),
    response: one(
      z.object({
        id: z.string(),
        name: z.string(),
        data: z.unknown(),
        sentAt: z.iso.datetime(),
        delivery: z.enum(['live', 'queued']),
      }),
    ),
    status: 201,
    errors: [404],
  },
  async ({ app, tenant, params, body }) => {
    const visitor = await getApiVisitor(app.db, tenant, params.visitorId);
    if (!visitor) throw new AppError('not_found', 'Visitor not found.');
    const { event, delivery } = await pushVisitorEvent(visitorEventPorts(app), {
      organizationId: tenant.organizationId,
      projectId: visitor.projectId,
      visitorId: visitor.id,
      name: body.name,
      data: body.data,
    });
    return { data: { ...event, delivery } };
  },
);
