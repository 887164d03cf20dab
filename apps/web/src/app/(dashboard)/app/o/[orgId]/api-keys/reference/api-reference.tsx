import Link from 'next/link';
import type { ReactNode } from 'react';

type TSchema = Record<string, unknown> & {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, TSchema>;
  required?: string[];
  items?: TSchema;
  anyOf?: TSchema[];
  enum?: unknown[];
  description?: string;
  additionalProperties?: TSchema | boolean;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  default?: unknown;
  format?: string;
};
type TOperation = {
  operationId: string;
  tags: string[];
  summary: string;
  description?: string;
  security: { apiKey: string[] }[];
  parameters?: { name: string; in: string; required: boolean; description?: string; schema: TSchema }[];
  requestBody?: { content: Record<string, { schema: TSchema }> };
  responses: Record<string, { description: string; content?: Record<string, { schema: TSchema }> }>;
};

/** A schema as one short line: "string | null", "array of Message", "'open' | 'closed'". */
function typeLabel(s: TSchema, components: Record<string, TSchema>): string {
  if (s.$ref) return s.$ref.split('/').pop()!;
  if (s.enum) return s.enum.map((v) => JSON.stringify(v)).join(' | ');
  if (s.anyOf) return s.anyOf.map((x) => typeLabel(x, components)).join(' | ');
  if (s.type === 'array' && s.items) return `array of ${typeLabel(s.items, components)}`;
  if (Array.isArray(s.type)) return s.type.join(' | ');
  if (s.type === 'object' && !s.properties) return 'object';
  if (s.format === 'date-time') return 'ISO date-time';
  return s.type ?? 'any';
}

function constraints(s: TSchema): string {
  const out: string[] = [];
  if (s.minLength !== undefined || s.maxLength !== undefined)
    out.push(`${s.minLength ?? 0}–${s.maxLength ?? '∞'} chars`);
  if (s.minimum !== undefined && s.minimum > -1e15) out.push(`≥ ${s.minimum}`);
  if (s.maximum !== undefined && s.maximum < 1e15) out.push(`≤ ${s.maximum}`);
  if (s.default !== undefined) out.push(`default ${JSON.stringify(s.default)}`);
  return out.join(', ');
}

/** The fields of an object schema as a table; nested objects and named schemas are linked, not repeated. */
function Fields({ schema, components }: { schema: TSchema; components: Record<string, TSchema> }): ReactNode {
  const s = schema.$ref ? (components[schema.$ref.split('/').pop()!] ?? schema) : schema;
  if (!s.properties) return <p className="muted">{typeLabel(schema, components)}</p>;
  return (
    <table className="list">
      <thead>
        <tr>
          <th>Field</th>
          <th>Type</th>
          <th>Notes</th>
        </tr>
      </thead>
      <tbody>
        {Object.entries(s.properties).map(([name, p]) => {
          const named = p.$ref ?? p.items?.$ref ?? p.anyOf?.find((x) => x.$ref)?.$ref;
          return (
            <tr key={name}>
              <td>
                <code>{name}</code>
                {s.required?.includes(name) ? null : <span className="muted"> (optional)</span>}
              </td>
              <td>
                {named ? (
                  <a href={`#schema-${named.split('/').pop()}`}>{typeLabel(p, components)}</a>
                ) : (
                  typeLabel(p, components)
                )}
              </td>
              <td>{[p.description, constraints(p)].filter(Boolean).join(' — ')}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/**
 * The REST API reference, rendered here from the same OpenAPI document /api/v1/openapi.json serves (generated from the
 * operations' zod schemas): no script or stylesheet from elsewhere, so it works offline and cannot drift.
 */
export function ApiReference({ orgId, document }: { orgId: string; document: Record<string, unknown> }) {
  const doc = document as unknown as {
    info: { title: string; description: string };
    servers: { url: string }[];
    tags: { name: string }[];
    paths: Record<string, Record<string, TOperation>>;
    components: { schemas: Record<string, TSchema> };
  };
  const components = doc.components.schemas;
  const operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({ path, method: method.toUpperCase(), op })),
  );
  return (
    <>
      <h1>{doc.info.title}</h1>
      <section className="card stack">
        <p style={{ margin: 0 }}>
          Base URL <code>{doc.servers[0]?.url}</code>. Every request sends{' '}
          <code>Authorization: Bearer &lt;API key&gt;</code> (<Link href={`/app/o/${orgId}/api-keys`}>API keys</Link>).
          GET needs the <em>read</em> permission, everything else <em>write</em>. Answers are JSON with ISO dates; lists
          are <code>{'{ data, nextCursor }'}</code> — pass <code>nextCursor</code> back as <code>cursor</code>. Errors
          are <code>application/problem+json</code> with a stable <code>code</code>. Send an{' '}
          <code>Idempotency-Key</code> header with every POST: a retry returns the first answer and does nothing twice.
          Each key may make the plan’s number of requests per minute (<code>RateLimit-*</code> headers; 429 with{' '}
          <code>Retry-After</code> beyond). The machine-readable document:{' '}
          <a href="/api/v1/openapi.json">/api/v1/openapi.json</a> (OpenAPI 3.1).
        </p>
        <nav aria-label="Operations">
          <ul>
            {operations.map(({ path, method, op }) => (
              <li key={op.operationId}>
                <a href={`#${op.operationId}`}>
                  <code>
                    {method} {path}
                  </code>
                </a>{' '}
                — {op.summary}
              </li>
            ))}
          </ul>
        </nav>
      </section>
      {doc.tags.map((tag) => (
        <section key={tag.name} className="card stack" aria-labelledby={`tag-${tag.name}`}>
          <h2 id={`tag-${tag.name}`} style={{ marginTop: 0 }}>
            {tag.name}
          </h2>
          {operations
            .filter(({ op }) => op.tags.includes(tag.name))
            .map(({ path, method, op }) => {
              const success = Object.entries(op.responses).find(([s]) => s.startsWith('2'));
              const errors = Object.entries(op.responses).filter(([s]) => !s.startsWith('2'));
              const body = op.requestBody?.content['application/json']?.schema;
              return (
                <article key={op.operationId} id={op.operationId} className="stack" data-testid="api-operation">
                  <h3 style={{ marginBottom: 0 }}>
                    <code>
                      {method} /api/v1{path}
                    </code>
                  </h3>
                  <p style={{ margin: 0 }}>
                    <strong>{op.summary}.</strong> {op.description}{' '}
                    <span className="badge">{op.security[0]?.apiKey.join(', ')}</span>
                  </p>
                  {op.parameters?.length ? (
                    <table className="list">
                      <thead>
                        <tr>
                          <th>Parameter</th>
                          <th>In</th>
                          <th>Type</th>
                          <th>Notes</th>
                        </tr>
                      </thead>
                      <tbody>
                        {op.parameters.map((p) => (
                          <tr key={`${p.in}-${p.name}`}>
                            <td>
                              <code>{p.name}</code>
                              {p.required ? null : <span className="muted"> (optional)</span>}
                            </td>
                            <td>{p.in}</td>
                            <td>{typeLabel(p.schema, components)}</td>
                            <td>{[p.description, constraints(p.schema)].filter(Boolean).join(' — ')}</td>
                          </tr>
                        ))}
                      </tbody>
                    </table>
                  ) : null}
                  {body ? (
                    <>
                      <h4 style={{ margin: 0 }}>Request body</h4>
                      <Fields schema={body} components={components} />
                    </>
                  ) : null}
                  {success ? (
                    <>
                      <h4 style={{ margin: 0 }}>Answer {success[0]}</h4>
                      <Fields schema={success[1].content!['application/json']!.schema} components={components} />
                    </>
                  ) : null}
                  <p className="muted" style={{ margin: 0 }}>
                    Errors: {errors.map(([s, r]) => `${s} ${r.description}`).join(' · ')}
                  </p>
                </article>
              );
            })}
        </section>
      ))}
      <section className="card stack" aria-labelledby="schemas-title">
        <h2 id="schemas-title" style={{ marginTop: 0 }}>
          Objects
        </h2>
        {Object.entries(components).map(([name, schema]) => (
          <article key={name} id={`schema-${name}`} className="stack">
            <h3 style={{ marginBottom: 0 }}>{name}</h3>
            <Fields schema={schema} components={components} />
          </article>
        ))}
      </section>
    </>
  );
}
