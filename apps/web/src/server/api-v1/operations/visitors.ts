import { z } from 'zod';
import { AppError } from '@pocketping/core';
import { eraseApiVisitor, getApiVisitor, updateApiVisitor } from '@pocketping/db';
import { apiOperation } from '../api-route';
import { one, ZApiVisitor, ZApiVisitorPatch, ZId } from '../schemas';

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
    const visitor = await updateApiVisitor(app.db, tenant, params.visitorId, body);
    if (!visitor) throw new AppError('not_found', 'Visitor not found.');
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
      'files, bytes included. Copies already posted in your chat apps stay there.',
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
  async ({ app, tenant, params }) => {
    const erased = await eraseApiVisitor(app.db, tenant, params.visitorId);
    if (!erased) throw new AppError('not_found', 'Visitor not found.');
    // The rows are gone first; a byte delete that fails leaves an object nothing points to, logged for cleanup.
    for (const key of erased.storageKeys) {
      await app.storage
        .delete(key)
        .catch((err: unknown) =>
          app.log.warn(
            { err: err instanceof Error ? err.message : String(err), tenantId: tenant.organizationId, storageKey: key },
            'erased visitor: file bytes not deleted',
          ),
        );
    }
    return {
      data: {
        id: params.visitorId,
        deleted: true as const,
        conversations: erased.conversations,
        messages: erased.messages,
        files: erased.storageKeys.length,
      },
    };
  },
);
