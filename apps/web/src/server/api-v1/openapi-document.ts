import { getEnv } from '../../env';
import { buildOpenApiDocument } from './openapi';
import { API_OPERATIONS } from './operations';

let cached: Record<string, unknown> | null = null;

/** The document served at /api/v1/openapi.json and rendered by the dashboard's reference page (built once). */
export function openApiDocument(): Record<string, unknown> {
  cached ??= buildOpenApiDocument(API_OPERATIONS, `${getEnv().WEB_PUBLIC_URL.replace(/\/$/, '')}/api/v1`);
  return cached;
}
