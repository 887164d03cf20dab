// Turns the OpenAPI 3.1 document of /api/v1 into the SDK's TypeScript: one type per named schema, and per operation
// its method, path, path/query parameters, body and success answer. No dependencies: the document only uses the
// JSON Schema that zod's toJSONSchema writes (type, enum, const, anyOf, items, properties, $ref, formats).

const HEADER = `// GENERATED from the OpenAPI document of /api/v1 by packages/sdk-node/scripts/openapi-to-ts.mjs — do not edit.
// Regenerate: \`pnpm --filter @pocketping/node generate <url of /api/v1/openapi.json>\`, or
// \`pnpm exec vitest run apps/web/src/server/api-v1/sdk-node.test.ts --update\` (the test fails when this file drifts).
`;

const ident = (name) => (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? name : JSON.stringify(name));
const pad = (depth) => '  '.repeat(depth);

/** One JSON Schema as a TypeScript type. `io` picks what optional means: on input a key with a default is optional. */
export function schemaToTs(schema, depth = 0) {
  if (schema === true || schema === undefined || schema === null) return 'unknown';
  if (schema === false) return 'never';
  if (schema.$ref) return schema.$ref.replace('#/components/schemas/', '');
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  if (schema.enum) return schema.enum.map((v) => JSON.stringify(v)).join(' | ');
  const union = schema.anyOf ?? schema.oneOf;
  if (union) return union.map((s) => wrap(schemaToTs(s, depth))).join(' | ');
  if (schema.allOf) return schema.allOf.map((s) => wrap(schemaToTs(s, depth))).join(' & ');
  if (Array.isArray(schema.type)) return schema.type.map((t) => schemaToTs({ ...schema, type: t }, depth)).join(' | ');
  switch (schema.type) {
    case 'string':
      return 'string';
    case 'number':
    case 'integer':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'null':
      return 'null';
    case 'array':
      if (Array.isArray(schema.prefixItems))
        return `[${schema.prefixItems.map((s) => schemaToTs(s, depth)).join(', ')}]`;
      return `${wrap(schemaToTs(schema.items, depth))}[]`;
    case 'object':
      return objectToTs(schema, depth);
    default:
      return schema.properties ? objectToTs(schema, depth) : 'unknown';
  }
}

function wrap(t) {
  return /[|&]/.test(t) && !/^[{[]/.test(t) ? `(${t})` : t;
}

function objectToTs(schema, depth) {
  const required = new Set(schema.required ?? []);
  const props = Object.entries(schema.properties ?? {});
  const extra =
    schema.additionalProperties && schema.additionalProperties !== false
      ? schema.additionalProperties === true
        ? 'unknown'
        : schemaToTs(schema.additionalProperties, depth + 1)
      : null;
  if (props.length === 0) return extra ? `Record<string, ${extra}>` : 'Record<string, never>';
  const lines = props.map(([name, s]) => {
    const doc = s && s.description ? `${pad(depth + 1)}/** ${s.description.replaceAll('*/', '*\\/')} */\n` : '';
    const optional = required.has(name) ? '' : '?';
    return `${doc}${pad(depth + 1)}${ident(name)}${optional}: ${schemaToTs(s, depth + 1)};`;
  });
  if (extra) lines.push(`${pad(depth + 1)}[key: string]: ${extra};`);
  return `{\n${lines.join('\n')}\n${pad(depth)}}`;
}

function parametersToTs(parameters, where) {
  const mine = parameters.filter((p) => p.in === where);
  if (mine.length === 0) return null;
  return objectToTs(
    {
      type: 'object',
      properties: Object.fromEntries(
        mine.map((p) => [p.name, p.description ? { ...p.schema, description: p.description } : p.schema]),
      ),
      required: mine.filter((p) => p.required).map((p) => p.name),
    },
    2,
  );
}

/** The whole generated module. */
export function openApiToTypes(doc) {
  const out = [HEADER];
  for (const [name, schema] of Object.entries(doc.components?.schemas ?? {})) {
    if (schema.description) out.push(`/** ${schema.description} */`);
    out.push(`export type ${name} = ${schemaToTs(schema, 0)};\n`);
  }
  const ops = [];
  for (const [path, methods] of Object.entries(doc.paths ?? {}))
    for (const [method, op] of Object.entries(methods)) ops.push({ path, method: method.toUpperCase(), op });
  out.push('/** Every operation of /api/v1: its path and query parameters, body and success answer. */');
  out.push('export interface Operations {');
  for (const { path, method, op } of ops) {
    const success = Object.entries(op.responses).find(([status]) => status.startsWith('2'));
    const response = success?.[1].content?.['application/json']?.schema;
    const body = op.requestBody?.content?.['application/json']?.schema;
    out.push(`  /** ${method} ${path} — ${op.summary} */`);
    out.push(`  ${op.operationId}: {`);
    out.push(`    params: ${parametersToTs(op.parameters ?? [], 'path') ?? 'Record<string, never>'};`);
    out.push(`    query: ${parametersToTs(op.parameters ?? [], 'query') ?? 'Record<string, never>'};`);
    out.push(`    body: ${body ? schemaToTs(body, 2) : 'Record<string, never>'};`);
    out.push(`    response: ${response ? schemaToTs(response, 2) : 'unknown'};`);
    out.push('  };');
  }
  out.push('}\n');
  out.push('/** Method and path of every operation (what the client sends). */');
  out.push('export const OPERATIONS = {');
  for (const { path, method, op } of ops)
    out.push(`  ${op.operationId}: { method: ${JSON.stringify(method)}, path: ${JSON.stringify(path)} },`);
  out.push('} as const;\n');
  return out.join('\n');
}
