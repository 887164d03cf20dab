import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import { AppError, randomToken, readTextWithLimit } from '@pocketping/core';
import { getContext, type TWebContext } from '../context';
import { API_MAX_BODY_BYTES, authenticateApiRequest } from '../api-v1/api-route';
import { apiProblem, problemResponse, toProblem } from '../api-v1/problem';
import { registerMcpTools } from './tools';

/**
 * The MCP server at /api/mcp (Streamable HTTP, stateless: every POST carries one JSON-RPC message or batch and is
 * answered with JSON; no session, no server-initiated stream — GET and DELETE answer 405). Auth is the REST API's:
 * `Authorization: Bearer <API key>` resolved on every request by `authenticateApiRequest` (a revoked key stops at
 * once; the key's per-minute budget counts each request), then the tools (`tools.ts`) run the /api/v1 operations for
 * that tenant, which check the read/write scope and the project restriction exactly as the REST routes do.
 * The body is read through the size-limited reader (64 KB, like /api/v1). A refusal before the MCP layer (no key,
 * rate limited, too large, not JSON) is the API's `application/problem+json`; inside it, a tool error.
 */

export const MCP_SERVER_NAME = 'pocketping';
export const MCP_SERVER_VERSION = '1.0.0';

export async function handleMcpRequest(req: Request): Promise<Response> {
  const requestId = `mcp_${randomToken('', 12)}`;
  const headers = new Headers({ 'x-request-id': requestId });
  let app: TWebContext | null = null;
  try {
    app = getContext();
    const tenant = await authenticateApiRequest(req, app, headers);
    if (req.method !== 'POST') {
      headers.set('allow', 'POST');
      throw apiProblem(
        'method_not_allowed',
        'This MCP server is stateless: send each JSON-RPC message with POST (no GET stream, no session to DELETE).',
      );
    }
    const text = await readTextWithLimit(req, API_MAX_BODY_BYTES);
    let parsedBody: unknown;
    try {
      parsedBody = JSON.parse(text) as unknown;
    } catch {
      throw new AppError('bad_request', 'The body is not valid JSON (send one JSON-RPC message or a batch).');
    }

    const server = new McpServer(
      { name: MCP_SERVER_NAME, version: MCP_SERVER_VERSION },
      {
        instructions:
          'PocketPing live-chat inbox: list and read conversations, reply to visitors or add internal notes, close ' +
          'or reopen conversations, and read inbox statistics. Ids come from list_projects and list_conversations.',
      },
    );
    registerMcpTools(server, { app, tenant, req, requestId });
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
    });
    await server.connect(transport);
    try {
      const res = await transport.handleRequest(req, { parsedBody });
      const out = new Headers(res.headers);
      headers.forEach((value, name) => out.set(name, value));
      out.set('cache-control', 'no-store');
      return new Response(res.body === null ? null : await res.arrayBuffer(), { status: res.status, headers: out });
    } finally {
      await server.close();
    }
  } catch (err) {
    const problem = toProblem(err, requestId);
    if (problem.code === 'internal') app?.log.error({ err, requestId }, 'mcp request failed');
    if (problem.code === 'unauthorized') headers.set('www-authenticate', 'Bearer realm="pocketping"');
    return problemResponse(problem, headers);
  }
}
