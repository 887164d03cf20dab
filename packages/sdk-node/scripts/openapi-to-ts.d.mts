/** The generated module (src/generated/api.ts) for an OpenAPI 3.1 document. */
export function openApiToTypes(doc: unknown): string;
/** One JSON Schema as a TypeScript type. */
export function schemaToTs(schema: unknown, depth?: number): string;
