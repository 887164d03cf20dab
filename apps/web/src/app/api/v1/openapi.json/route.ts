// GET /api/v1/openapi.json — the OpenAPI 3.1 document, generated from the operations' zod schemas (no key needed)
import { openApiDocument } from '~/server/api-v1/openapi-document';

export function GET(): Response {
  return new Response(JSON.stringify(openApiDocument()), {
    headers: { 'content-type': 'application/json', 'cache-control': 'public, max-age=300' },
  });
}
