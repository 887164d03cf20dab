// /api/mcp — the MCP server (Streamable HTTP, stateless; API-key auth like /api/v1)
import { handleMcpRequest } from '../../../server/mcp/mcp-route';

export const POST = handleMcpRequest;
export const GET = handleMcpRequest;
export const DELETE = handleMcpRequest;
