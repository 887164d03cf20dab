// The reference page's body, rendered to HTML from the real OpenAPI document: every operation and object is there,
// and nothing is loaded from anywhere (no script, stylesheet, image or font of another origin) — it works offline.
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { buildOpenApiDocument } from '~/server/api-v1/openapi';
import { API_OPERATIONS } from '~/server/api-v1/operations';
import { ApiReference } from './api-reference';

describe('API reference page', () => {
  const doc = buildOpenApiDocument(API_OPERATIONS, 'https://pocketping.example/api/v1');
  const html = renderToStaticMarkup(createElement(ApiReference, { orgId: 'org_1', document: doc }));

  it('shows every operation with its method, path, parameters and answer fields', () => {
    for (const { operation: op } of API_OPERATIONS) {
      expect(html).toContain(`id="${op.operationId}"`);
      expect(html).toContain(`${op.method} /api/v1${op.path}`);
    }
    expect(html).toContain('<code>updatedSince</code>');
    expect(html).toContain('<code>visibility</code>');
    expect(html).toContain('id="schema-Conversation"');
    expect(html).toContain('href="#schema-Message"');
  });

  it('loads nothing from elsewhere', () => {
    expect(html).not.toMatch(/<(script|link|img|iframe)\b/i);
    expect(html).not.toMatch(/@import|url\(/i);
  });
});
