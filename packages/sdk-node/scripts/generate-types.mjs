#!/usr/bin/env node
// Regenerates src/generated/api.ts from a served OpenAPI document:
//   node scripts/generate-types.mjs http://localhost:3000/api/v1/openapi.json   (or a path to a saved JSON file)
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { openApiToTypes } from './openapi-to-ts.mjs';

const source = process.argv[2] ?? 'http://localhost:3000/api/v1/openapi.json';
const doc = /^https?:\/\//.test(source)
  ? await (await fetch(source)).json()
  : JSON.parse(await readFile(source, 'utf8'));
const target = fileURLToPath(new URL('../src/generated/api.ts', import.meta.url));
await writeFile(target, openApiToTypes(doc));
process.stdout.write(`wrote ${target} from ${source}\n`);
