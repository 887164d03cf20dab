import { z } from 'zod';
import { API_MAX_BODY_BYTES, type TApiHandler } from './api-route';
import { ZProblem } from './problem';

/**
 * The OpenAPI 3.1 document of /api/v1, generated from the operations' own zod schemas (`z.toJSONSchema`, JSON Schema
 * 2020-12, which OpenAPI 3.1 uses as is): nothing is written by hand, so the document cannot drift from the code.
 * Schemas with a `.meta({ id })` become named components.
 */

type TJson = Record<string, unknown>;

const STATUS_TEXT: Record<number, string> = {
  400: 'Invalid request (malformed, unknown fields, bad values): `errors` lists the fields',
  401: 'Missing, unknown or revoked API key',
  403: 'The key lacks the scope (`insufficient_scope`)',
  404: 'Not found (also: another organization’s or, for a project-restricted key, another project’s id)',
  409: 'A request with this Idempotency-Key is still running',
  413: `Body over ${API_MAX_BODY_BYTES / 1024} KB`,
  415: 'The body is not JSON',
  422: 'Unprocessable: `code` says why — `unprocessable` (a value that cannot be applied, e.g. an assignee who is not a member: `errors` names the field), `idempotency_key_reused` (the Idempotency-Key was used for a different request), `search_timeout` (a text search took too long: narrow it)',
  429: 'Rate limit reached: wait Retry-After seconds',
  500: 'Internal error (retry with the same Idempotency-Key)',
};

const HEADER_COMPONENTS = {
  'RateLimit-Limit': {
    description: 'Requests this key may make per minute (the plan’s).',
    schema: { type: 'integer' },
  },
  'RateLimit-Remaining': { description: 'Requests left in this minute.', schema: { type: 'integer' } },
  'RateLimit-Reset': { description: 'Seconds until the minute resets.', schema: { type: 'integer' } },
  'X-Request-Id': {
    description: 'This request’s id (yours if you sent a valid X-Request-Id).',
    schema: { type: 'string' },
  },
};

const RATE_HEADERS = Object.fromEntries(
  Object.keys(HEADER_COMPONENTS).map((h) => [h, { $ref: `#/components/headers/${h}` }]),
);

function toSchema(schema: z.ZodType, io: 'input' | 'output', defs: Record<string, TJson>): TJson {
  const json = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io,
    unrepresentable: 'any',
    reused: 'inline',
  }) as TJson;
  const { $defs, $schema: _ignored, ...rest } = json as TJson & { $defs?: Record<string, TJson>; $schema?: string };
  const fix = (v: unknown) => JSON.parse(JSON.stringify(v).replaceAll('"#/$defs/', '"#/components/schemas/')) as TJson;
  for (const [name, def] of Object.entries($defs ?? {})) defs[name] = fix(def);
  return fix(rest);
}

function parametersOf(schema: z.ZodType | undefined, where: 'path' | 'query', defs: Record<string, TJson>): TJson[] {
  if (!schema) return [];
  const json = toSchema(schema, 'input', defs) as { properties?: Record<string, TJson>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, s]) => {
    const { description, ...rest } = s as TJson & { description?: string };
    return {
      name,
      in: where,
      required: where === 'path' || (json.required ?? []).includes(name),
      ...(description ? { description } : {}),
      schema: rest,
    };
  });
}

export function buildOpenApiDocument(operations: readonly TApiHandler[], serverUrl: string): TJson {
  const defs: Record<string, TJson> = {};
  toSchema(ZProblem, 'output', defs); // a named schema: lands in components as Problem
  const paths: Record<string, Record<string, TJson>> = {};
  for (const { operation: op } of operations) {
    const status = op.status ?? 200;
    const errors = new Set([400, 401, 429, 500, ...(op.method === 'GET' ? [] : [403]), ...(op.errors ?? [])]);
    if (op.method === 'POST' || op.method === 'PATCH') [413, 415].forEach((s) => errors.add(s));
    if (op.method === 'POST') [409, 422].forEach((s) => errors.add(s));
    const responses: Record<string, TJson> = {
      [String(status)]: {
        description: 'Success',
        headers: RATE_HEADERS,
        content: { 'application/json': { schema: toSchema(op.response, 'output', defs) } },
      },
    };
    for (const s of [...errors].sort()) {
      responses[String(s)] = {
        description: STATUS_TEXT[s] ?? 'Error',
        headers: s === 429 ? { ...RATE_HEADERS, 'Retry-After': { schema: { type: 'integer' } } } : RATE_HEADERS,
        content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
      };
    }
    const parameters = [...parametersOf(op.params, 'path', defs), ...parametersOf(op.query, 'query', defs)];
    if (op.method === 'POST')
      parameters.push({
        name: 'Idempotency-Key',
        in: 'header',
        required: false,
        description: 'Any unique string (a UUID): a retry with the same key and body returns the first answer.',
        schema: { type: 'string', minLength: 1, maxLength: 255 },
      });
    const hasBody = op.method === 'POST' || op.method === 'PATCH';
    (paths[op.path] ??= {})[op.method.toLowerCase()] = {
      operationId: op.operationId,
      tags: [op.tag],
      summary: op.summary,
      ...(op.description ? { description: op.description } : {}),
      security: [{ apiKey: [op.method === 'GET' ? 'read' : 'write'] }],
      ...(parameters.length ? { parameters } : {}),
      ...(hasBody && op.body
        ? {
            requestBody: {
              required: op.method === 'PATCH',
              content: { 'application/json': { schema: toSchema(op.body, 'input', defs) } },
            },
          }
        : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'PocketPing REST API',
      version: '1',
      description:
        'Your organization’s projects, conversations, messages, visitors and chat apps. Authenticate with ' +
        '`Authorization: Bearer <API key>` (API keys page of the dashboard). Errors are application/problem+json ' +
        'with a stable `code`. See docs/api.md in the repository for idempotency, pagination and rate limits.',
    },
    servers: [{ url: serverUrl }],
    security: [{ apiKey: [] }],
    tags: [...new Set(operations.map((o) => o.operation.tag))].map((name) => ({ name })),
    paths,
    components: {
      securitySchemes: {
        apiKey: {
          type: 'http',
          scheme: 'bearer',
          description: 'An API key (ppk_…). Scopes: read (GET), write (everything else).',
        },
      },
      headers: HEADER_COMPONENTS,
      schemas: defs,
    },
  };
}
