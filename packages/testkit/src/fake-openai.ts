// Fake OpenAI (Chat Completions and Models) on 127.0.0.1 — the official `openai` SDK is pointed at it through its
// `baseURL` option (`new OpenAI({ apiKey, baseURL: fake.baseUrl })`), so tests exercise the real client against the
// real wire format:
//   POST /v1/chat/completions  (JSON body, `Authorization: Bearer <key>`) → a `chat.completion` object with
//                              `choices[].message` (text, or `tool_calls` with JSON-string arguments),
//                              `finish_reason` and `usage`;
//   POST /v1/embeddings        → `{ object: 'list', data: [{ embedding }], usage }`, floats or base64 (the SDK asks
//                              for base64 and decodes it);
//   GET  /v1/models, GET /v1/models/<id>;
//   errors as `{ error: { message, type, param, code } }` with the HTTP status: 400 for a malformed body (validated
//   like the real API: unknown parameters and bad shapes refused, the offending field named in `param`), 401 for a
//   missing or unknown key, 404 `model_not_found`, 429 with `retry-after` / `retry-after-ms` headers, 5xx.
//
// What the "model" answers: replies enqueued by the test (`enqueue`) in order; otherwise a deterministic answer
// from the last user message, so a local demo works without a script: a short canned text that quotes the question
// and cites the first numbered knowledge block of the system prompt ("[1]") when there is one, or — when the request
// declares a `handoff_to_human` tool and the visitor asks for a person — a call of that tool. The fake is a stand-in
// for a model, so the word matching here is deliberate; the product itself must never decide a handoff that way.
//
// Streaming (`stream: true`) answers as the real API does: server-sent events, one `chat.completion.chunk` per piece
// (the first carries the role; text arrives as `delta.content` pieces, a tool call as `delta.tool_calls` with its id
// and name first and its arguments in pieces), a last chunk with the finish_reason, a usage-only chunk when
// `stream_options.include_usage` is set, then `data: [DONE]`.
//
// Embeddings are deterministic and meaningful enough for retrieval tests: words are hashed into the vector (feature
// hashing) and the vector normalised, so texts that share words have a higher cosine similarity. Not semantic.
//
// Knowing simplifications: one choice (`n` must be 1), token counts are estimated (≈ 4 characters a token) rather
// than tokenised, text is split into pieces of a few characters rather than tokens. Test tool only: state lives in
// memory.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { z } from 'zod';

// ---------------------------------------------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------------------------------------------

/** One scripted answer of the "model". */
export type TFakeOpenAiReply =
  | {
      text: string;
      /** Default 'stop' (or 'length' when max_tokens cut the text). */
      finishReason?: 'stop' | 'length' | 'content_filter';
      usage?: Partial<TFakeOpenAiUsage>;
      /** Answer only after this many ms (to test timeouts and aborts). */
      delayMs?: number;
      /** Streaming: pause between chunks, and the characters per text piece (default 0 ms, 8 characters). */
      chunkDelayMs?: number;
      chunkChars?: number;
    }
  | {
      toolCall: { name: string; arguments: Record<string, unknown> | string };
      /** Text the model wrote alongside the call (models sometimes do). */
      text?: string;
      usage?: Partial<TFakeOpenAiUsage>;
      delayMs?: number;
      chunkDelayMs?: number;
      chunkChars?: number;
    };

export interface TFakeOpenAiUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

export interface TFakeOpenAiFailure {
  /** HTTP status to answer; 0 drops the connection without an answer (a network failure). */
  status: number;
  /** Seconds, sent as `retry-after` (and `retry-after-ms`) — 429 and 503 answers. */
  retryAfter?: number;
  message?: string;
  type?: string;
  code?: string | null;
}

export interface TFakeOpenAiCall {
  method: string;
  /** Path without the query string, e.g. `/v1/chat/completions`. */
  path: string;
  /** The bearer key, '' when none was sent. */
  apiKey: string;
  /** Parsed JSON body (undefined for GET or an unparsable body). */
  body: unknown;
  status: number;
  /** `error.code` (or `error.type` when the code is null) of an error answer. */
  error?: string;
  at: number;
}

export interface TFakeOpenAiOptions {
  port?: number;
  /** Keys the fake accepts. Default: one random `sk-fake-…` key, readable as `apiKey`. */
  apiKeys?: string[];
  /** Model ids it knows (GET /v1/models; any other model is a 404 model_not_found). */
  models?: string[];
}

export type TFakeOpenAiEndpoint = 'chat.completions' | 'embeddings' | 'models';

/** The request the fake received, as the real API reads it (zod-validated). */
export type TChatCompletionRequest = z.infer<typeof ZChatCompletionRequest>;

export interface TFakeOpenAi {
  /** `http://127.0.0.1:<port>/v1` — pass as the SDK's baseURL / OPENAI_BASE_URL. */
  baseUrl: string;
  port: number;
  /** The first accepted key. */
  apiKey: string;
  models: string[];
  calls: TFakeOpenAiCall[];
  /** The validated bodies of the chat completions the fake answered (2xx), in order. */
  completions(): TChatCompletionRequest[];
  /** Scripted answers, consumed one per successful chat completion, in order. */
  enqueue(...replies: TFakeOpenAiReply[]): void;
  /** Scripted answers not consumed yet. */
  pending(): number;
  /** The next `times` calls of `endpoint` fail with `failure` (before auth and validation, like an outage). */
  failNext(endpoint: TFakeOpenAiEndpoint, failure: TFakeOpenAiFailure, times?: number): void;
  addApiKey(key: string): void;
  revokeApiKey(key: string): void;
  reset(): void;
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------------------------
// Request validation: the shapes the real API accepts (the parts this product uses, and the common parameters)
// ---------------------------------------------------------------------------------------------------------------

const ZTextPart = z.strictObject({ type: z.literal('text'), text: z.string() });
const ZImagePart = z.strictObject({
  type: z.literal('image_url'),
  image_url: z.strictObject({ url: z.string(), detail: z.enum(['auto', 'low', 'high']).optional() }),
});
const ZName = z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, "must match '^[a-zA-Z0-9_-]{1,64}$'");
const ZToolCall = z.strictObject({
  id: z.string().min(1),
  type: z.literal('function'),
  function: z.strictObject({ name: z.string(), arguments: z.string() }),
});

const ZChatMessage = z.discriminatedUnion('role', [
  z.strictObject({
    role: z.literal('system'),
    content: z.union([z.string(), z.array(ZTextPart)]),
    name: ZName.optional(),
  }),
  z.strictObject({
    role: z.literal('developer'),
    content: z.union([z.string(), z.array(ZTextPart)]),
    name: ZName.optional(),
  }),
  z.strictObject({
    role: z.literal('user'),
    content: z.union([z.string(), z.array(z.union([ZTextPart, ZImagePart]))]),
    name: ZName.optional(),
  }),
  z.strictObject({
    role: z.literal('assistant'),
    content: z.union([z.string(), z.array(ZTextPart), z.null()]).optional(),
    name: ZName.optional(),
    refusal: z.string().nullable().optional(),
    tool_calls: z.array(ZToolCall).optional(),
    // A response message passed back as is (the SDK's documented pattern) carries these output fields; the real
    // API accepts and ignores them.
    annotations: z.array(z.unknown()).optional(),
    audio: z.unknown().nullable().optional(),
    function_call: z.unknown().nullable().optional(),
  }),
  z.strictObject({
    role: z.literal('tool'),
    content: z.union([z.string(), z.array(ZTextPart)]),
    tool_call_id: z.string().min(1),
  }),
]);

const ZTool = z.strictObject({
  type: z.literal('function'),
  function: z.strictObject({
    name: ZName,
    description: z.string().optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
    strict: z.boolean().nullable().optional(),
  }),
});

const ZChatCompletionRequest = z.strictObject({
  model: z.string().min(1),
  messages: z.array(ZChatMessage).min(1, "'messages' must contain at least one message"),
  tools: z.array(ZTool).max(128).optional(),
  tool_choice: z
    .union([
      z.enum(['none', 'auto', 'required']),
      z.strictObject({ type: z.literal('function'), function: z.strictObject({ name: z.string() }) }),
    ])
    .optional(),
  parallel_tool_calls: z.boolean().optional(),
  temperature: z.number().min(0).max(2).nullable().optional(),
  top_p: z.number().min(0).max(1).nullable().optional(),
  max_tokens: z.number().int().min(1).nullable().optional(),
  max_completion_tokens: z.number().int().min(1).nullable().optional(),
  n: z.literal(1, 'the fake answers one choice: n must be 1').nullable().optional(),
  stream: z.boolean().nullable().optional(),
  stream_options: z
    .strictObject({ include_usage: z.boolean().optional(), include_obfuscation: z.boolean().optional() })
    .nullable()
    .optional(),
  stop: z
    .union([z.string(), z.array(z.string()).max(4)])
    .nullable()
    .optional(),
  presence_penalty: z.number().min(-2).max(2).nullable().optional(),
  frequency_penalty: z.number().min(-2).max(2).nullable().optional(),
  seed: z.number().int().nullable().optional(),
  user: z.string().optional(),
  safety_identifier: z.string().optional(),
  metadata: z.record(z.string(), z.string()).nullable().optional(),
  store: z.boolean().nullable().optional(),
  response_format: z
    .union([
      z.strictObject({ type: z.literal('text') }),
      z.strictObject({ type: z.literal('json_object') }),
      z.strictObject({ type: z.literal('json_schema'), json_schema: z.record(z.string(), z.unknown()) }),
    ])
    .optional(),
  logprobs: z.boolean().nullable().optional(),
  top_logprobs: z.number().int().min(0).max(20).nullable().optional(),
  service_tier: z.enum(['auto', 'default', 'flex', 'scale', 'priority']).nullable().optional(),
});

/** Embedding models and their default dimensions. */
const EMBEDDING_MODELS: Record<string, number> = {
  'text-embedding-3-small': 1536,
  'text-embedding-3-large': 3072,
  'text-embedding-ada-002': 1536,
};
const DEFAULT_MODELS = [
  'gpt-4o-mini',
  'gpt-4o',
  'gpt-4.1-mini',
  'gpt-4.1-nano',
  'gpt-5-mini',
  ...Object.keys(EMBEDDING_MODELS),
];
const EMBEDDING_INPUT_MAX_TOKENS = 8192;

const ZEmbeddingRequest = z.strictObject({
  model: z.string().min(1),
  input: z.union([z.string(), z.array(z.string()).min(1).max(2048)]),
  dimensions: z.number().int().min(1).max(3072).optional(),
  encoding_format: z.enum(['float', 'base64']).optional(),
  user: z.string().optional(),
});

/** A unit vector from the words of `text`: same words → same direction (FNV-1a hashed into `dims` buckets). */
export function fakeEmbedding(text: string, dims: number): number[] {
  const v = new Array<number>(dims).fill(0);
  for (const word of text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) {
    let h = 0x811c9dc5;
    for (let i = 0; i < word.length; i++) h = Math.imul(h ^ word.charCodeAt(i), 0x01000193) >>> 0;
    v[h % dims]! += (h & 0x80000000) !== 0 ? -1 : 1;
  }
  const norm = Math.hypot(...v) || 1;
  return v.map((x) => x / norm);
}
/** Far above any prompt the product builds; the real API refuses oversized bodies too. */
const BODY_MAX = 2 * 1024 * 1024;
const CHARS_PER_TOKEN = 4;

class BodyTooLarge extends Error {}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > BODY_MAX) {
        reject(new BodyTooLarge());
        req.pause();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

const estimateTokens = (chars: number) => Math.max(1, Math.ceil(chars / CHARS_PER_TOKEN));

function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content))
    return content
      .map((p) => (p && typeof p === 'object' && 'text' in p ? String((p as { text: unknown }).text) : ''))
      .join('');
  return '';
}

/** The path of a zod issue the way OpenAI names a parameter: `messages[0].role`. */
function paramOf(path: readonly PropertyKey[]): string | null {
  if (path.length === 0) return null;
  return path.reduce<string>(
    (acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${String(p)}` : String(p)),
    '',
  );
}

/** The deterministic answer of the unscripted "model". */
function defaultReply(req: TChatCompletionRequest): TFakeOpenAiReply {
  const lastUser = [...req.messages].reverse().find((m) => m.role === 'user');
  const question = lastUser ? contentText(lastUser.content).replace(/\s+/g, ' ').trim() : '';
  const toolsAllowed = req.tool_choice !== 'none';
  const forced = typeof req.tool_choice === 'object' ? req.tool_choice.function.name : null;
  const hasHandoff = req.tools?.some((t) => t.function.name === 'handoff_to_human') ?? false;
  if (forced) return { toolCall: { name: forced, arguments: {} } };
  if (toolsAllowed && hasHandoff && /\b(human|person|agent|someone|operator)\b/i.test(question)) {
    return { toolCall: { name: 'handoff_to_human', arguments: { reason: 'The visitor asked for a person.' } } };
  }
  const system = req.messages
    .filter((m) => m.role === 'system' || m.role === 'developer')
    .map((m) => contentText(m.content))
    .join('\n');
  const cite = /\[1\]/.test(system) ? ' [1]' : '';
  const quoted = question.length > 120 ? `${question.slice(0, 117)}...` : question;
  return {
    text: `This is the local fake OpenAI model. You asked: "${quoted}". A real model would answer from your knowledge here.${cite}`,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Server
// ---------------------------------------------------------------------------------------------------------------

export async function startFakeOpenAi(opts: TFakeOpenAiOptions = {}): Promise<TFakeOpenAi> {
  const keys = new Set(opts.apiKeys ?? [`sk-fake-${randomBytes(16).toString('hex')}`]);
  const firstKey = [...keys][0] ?? '';
  const models = opts.models ?? DEFAULT_MODELS;
  const createdAt = Math.floor(Date.now() / 1000) - 86_400;
  const calls: TFakeOpenAiCall[] = [];
  const answered: TChatCompletionRequest[] = [];
  const script: TFakeOpenAiReply[] = [];
  const failures = new Map<TFakeOpenAiEndpoint, TFakeOpenAiFailure[]>();
  const sockets = new Set<Socket>();
  let closed = false;

  const send = (
    res: ServerResponse,
    call: TFakeOpenAiCall,
    status: number,
    payload: unknown,
    headers: Record<string, string> = {},
  ): void => {
    call.status = status;
    if (status >= 400 && payload && typeof payload === 'object' && 'error' in payload) {
      const e = (payload as { error: { code: string | null; type: string } }).error;
      call.error = e.code ?? e.type;
    }
    const body = JSON.stringify(payload);
    res.writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
      'x-request-id': `req_${randomBytes(12).toString('hex')}`,
      'openai-processing-ms': '1',
      ...headers,
    });
    res.end(body);
  };

  const sendError = (
    res: ServerResponse,
    call: TFakeOpenAiCall,
    status: number,
    error: { message: string; type: string; code: string | null; param?: string | null },
    headers?: Record<string, string>,
  ): void =>
    send(
      res,
      call,
      status,
      { error: { message: error.message, type: error.type, param: error.param ?? null, code: error.code } },
      headers,
    );

  const injectedFailure = (res: ServerResponse, call: TFakeOpenAiCall, endpoint: TFakeOpenAiEndpoint): boolean => {
    const queue = failures.get(endpoint);
    const f = queue?.shift();
    if (!f) return false;
    if (f.status === 0) {
      call.status = 0;
      call.error = 'connection dropped';
      res.socket?.destroy();
      return true;
    }
    const headers: Record<string, string> = {};
    if (f.retryAfter !== undefined) {
      headers['retry-after'] = String(f.retryAfter);
      headers['retry-after-ms'] = String(Math.round(f.retryAfter * 1000));
    }
    if (f.status === 429) {
      headers['x-ratelimit-limit-requests'] = '500';
      headers['x-ratelimit-remaining-requests'] = '0';
      headers['x-ratelimit-reset-requests'] = `${f.retryAfter ?? 1}s`;
    }
    const defaults =
      f.status === 429
        ? {
            message: 'Rate limit reached for requests. Please try again later.',
            type: 'requests',
            code: 'rate_limit_exceeded',
          }
        : f.status === 401
          ? { message: 'Incorrect API key provided.', type: 'invalid_request_error', code: 'invalid_api_key' }
          : f.status >= 500
            ? {
                message: 'The server had an error while processing your request. Sorry about that!',
                type: 'server_error',
                code: null,
              }
            : { message: 'Bad request.', type: 'invalid_request_error', code: null };
    sendError(
      res,
      call,
      f.status,
      {
        message: f.message ?? defaults.message,
        type: f.type ?? defaults.type,
        code: f.code === undefined ? defaults.code : f.code,
      },
      headers,
    );
    return true;
  };

  const authorized = (res: ServerResponse, call: TFakeOpenAiCall): boolean => {
    if (!call.apiKey) {
      sendError(res, call, 401, {
        message:
          "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
        type: 'invalid_request_error',
        code: null,
      });
      return false;
    }
    if (!keys.has(call.apiKey)) {
      // The real API shows only the ends of a wrong key.
      const masked = call.apiKey.length > 8 ? `${call.apiKey.slice(0, 3)}*****${call.apiKey.slice(-4)}` : '*****';
      sendError(res, call, 401, {
        message: `Incorrect API key provided: ${masked}.`,
        type: 'invalid_request_error',
        code: 'invalid_api_key',
      });
      return false;
    }
    return true;
  };

  const modelObject = (id: string) => ({ id, object: 'model', created: createdAt, owned_by: 'system' });

  const chatCompletion = async (res: ServerResponse, call: TFakeOpenAiCall, raw: string): Promise<void> => {
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      sendError(res, call, 400, {
        message:
          "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly.)",
        type: 'invalid_request_error',
        code: null,
      });
      return;
    }
    call.body = json;
    const parsed = ZChatCompletionRequest.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const unknownKey = issue.code === 'unrecognized_keys' ? issue.keys[0] : undefined;
      const missing = issue.code === 'invalid_type' && issue.input === undefined;
      const param = paramOf(unknownKey ? [...issue.path, unknownKey] : issue.path);
      sendError(res, call, 400, {
        message: unknownKey
          ? `Unrecognized request argument supplied: ${param}`
          : missing
            ? `Missing required parameter: '${param}'.`
            : `Invalid value for '${param ?? 'body'}': ${issue.message}`,
        type: 'invalid_request_error',
        code: unknownKey ? 'unknown_parameter' : missing ? 'missing_required_parameter' : 'invalid_value',
        param,
      });
      return;
    }
    const req = parsed.data;
    if (!models.includes(req.model)) {
      sendError(res, call, 404, {
        message: `The model \`${req.model}\` does not exist or you do not have access to it.`,
        type: 'invalid_request_error',
        code: 'model_not_found',
      });
      return;
    }
    if (req.tool_choice !== undefined && !req.tools?.length) {
      sendError(res, call, 400, {
        message: "Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' are specified.",
        type: 'invalid_request_error',
        code: null,
        param: 'tool_choice',
      });
      return;
    }
    if (
      typeof req.tool_choice === 'object' &&
      !req.tools?.some((t) => t.function.name === (req.tool_choice as { function: { name: string } }).function.name)
    ) {
      sendError(res, call, 400, {
        message: `Invalid value for 'tool_choice': no function named '${req.tool_choice.function.name}' was specified in the 'tools' parameter.`,
        type: 'invalid_request_error',
        code: null,
        param: 'tool_choice',
      });
      return;
    }
    // Every tool call of an assistant message must be answered by a tool message right after it, and a tool message
    // must answer one of them — the real API refuses a conversation that breaks the pairing.
    {
      let open = new Set<string>();
      for (const [i, m] of req.messages.entries()) {
        if (m.role === 'tool') {
          if (!open.has(m.tool_call_id)) {
            sendError(res, call, 400, {
              message:
                "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.",
              type: 'invalid_request_error',
              code: null,
              param: `messages.[${i}].role`,
            });
            return;
          }
          open.delete(m.tool_call_id);
          continue;
        }
        if (open.size > 0) {
          sendError(res, call, 400, {
            message:
              "An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'.",
            type: 'invalid_request_error',
            code: null,
            param: 'messages',
          });
          return;
        }
        open = new Set(m.role === 'assistant' ? (m.tool_calls ?? []).map((t) => t.id) : []);
      }
      if (open.size > 0) {
        sendError(res, call, 400, {
          message:
            "An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'.",
          type: 'invalid_request_error',
          code: null,
          param: 'messages',
        });
        return;
      }
    }

    const reply = script.shift() ?? defaultReply(req);
    if (reply.delayMs) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, reply.delayMs);
        // A client that gave up (timeout, abort) closes the connection: stop waiting for it.
        res.once('close', () => {
          clearTimeout(t);
          resolve();
        });
      });
      if (res.destroyed || res.writableEnded) {
        call.status = 0;
        call.error = 'client went away';
        return;
      }
    }
    const promptChars =
      req.messages.reduce((n, m) => n + contentText(m.content).length, 0) +
      (req.tools ? JSON.stringify(req.tools).length : 0);
    const maxTokens = req.max_completion_tokens ?? req.max_tokens ?? null;
    let message: Record<string, unknown>;
    let finishReason: string;
    let completionChars: number;
    if ('toolCall' in reply) {
      const tc = reply.toolCall;
      if (req.tool_choice === 'none' || !req.tools?.some((t) => t.function.name === tc.name)) {
        // A model cannot call a function it was not offered: a script that does so is a broken test.
        sendError(res, call, 500, {
          message: `fake OpenAI: the script calls '${tc.name}', which this request did not offer (tools / tool_choice)`,
          type: 'server_error',
          code: null,
        });
        return;
      }
      const args = typeof tc.arguments === 'string' ? tc.arguments : JSON.stringify(tc.arguments);
      message = {
        role: 'assistant',
        content: reply.text ?? null,
        refusal: null,
        annotations: [],
        tool_calls: [
          {
            id: `call_${randomBytes(12).toString('base64url')}`,
            type: 'function',
            function: { name: tc.name, arguments: args },
          },
        ],
      };
      finishReason = 'tool_calls';
      completionChars = args.length + tc.name.length + (reply.text?.length ?? 0);
    } else {
      let text = reply.text;
      finishReason = reply.finishReason ?? 'stop';
      if (maxTokens !== null && text.length > maxTokens * CHARS_PER_TOKEN) {
        text = text.slice(0, maxTokens * CHARS_PER_TOKEN);
        finishReason = 'length';
      }
      message = { role: 'assistant', content: text, refusal: null, annotations: [] };
      completionChars = text.length;
    }
    const prompt_tokens = reply.usage?.prompt_tokens ?? estimateTokens(promptChars);
    const completion_tokens = reply.usage?.completion_tokens ?? estimateTokens(completionChars);
    const usage = {
      prompt_tokens,
      completion_tokens,
      total_tokens: reply.usage?.total_tokens ?? prompt_tokens + completion_tokens,
      prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
      completion_tokens_details: {
        reasoning_tokens: 0,
        audio_tokens: 0,
        accepted_prediction_tokens: 0,
        rejected_prediction_tokens: 0,
      },
    };
    answered.push(req);
    if (req.stream) {
      await streamCompletion(res, call, req, reply, message, finishReason, usage);
      return;
    }
    send(res, call, 200, {
      id: `chatcmpl-${randomBytes(15).toString('base64url')}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: req.model,
      choices: [{ index: 0, message, logprobs: null, finish_reason: finishReason }],
      usage,
      service_tier: 'default',
      system_fingerprint: 'fp_fake',
    });
  };

  const streamCompletion = async (
    res: ServerResponse,
    call: TFakeOpenAiCall,
    req: TChatCompletionRequest,
    reply: TFakeOpenAiReply,
    message: Record<string, unknown>,
    finishReason: string,
    usage: Record<string, unknown>,
  ): Promise<void> => {
    call.status = 200;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      'x-request-id': `req_${randomBytes(12).toString('hex')}`,
    });
    const base = {
      id: `chatcmpl-${randomBytes(15).toString('base64url')}`,
      object: 'chat.completion.chunk',
      created: Math.floor(Date.now() / 1000),
      model: req.model,
      service_tier: 'default',
      system_fingerprint: 'fp_fake',
    };
    const pieceChars = Math.max(1, reply.chunkChars ?? 8);
    const pieces = (text: string) => {
      const out: string[] = [];
      for (let i = 0; i < text.length; i += pieceChars) out.push(text.slice(i, i + pieceChars));
      return out;
    };
    const write = async (chunk: unknown): Promise<boolean> => {
      if (res.destroyed) return false;
      res.write(`data: ${JSON.stringify(chunk)}\n\n`);
      if (reply.chunkDelayMs) await new Promise((r) => setTimeout(r, reply.chunkDelayMs));
      return !res.destroyed;
    };
    const delta = (d: Record<string, unknown>, finish: string | null = null) => ({
      ...base,
      choices: [{ index: 0, delta: d, logprobs: null, finish_reason: finish }],
    });
    const frames: unknown[] = [delta({ role: 'assistant', content: '', refusal: null })];
    const content = typeof message.content === 'string' ? message.content : '';
    for (const p of pieces(content)) frames.push(delta({ content: p }));
    const toolCalls =
      (message.tool_calls as { id: string; function: { name: string; arguments: string } }[] | undefined) ?? [];
    for (const [index, tc] of toolCalls.entries()) {
      frames.push(
        delta({
          tool_calls: [{ index, id: tc.id, type: 'function', function: { name: tc.function.name, arguments: '' } }],
        }),
      );
      for (const p of pieces(tc.function.arguments))
        frames.push(delta({ tool_calls: [{ index, function: { arguments: p } }] }));
    }
    frames.push(delta({}, finishReason));
    if (req.stream_options?.include_usage) frames.push({ ...base, choices: [], usage });
    for (const f of frames) {
      if (!(await write(f))) {
        call.error = 'client went away';
        return;
      }
    }
    res.end('data: [DONE]\n\n');
  };

  const embeddings = (res: ServerResponse, call: TFakeOpenAiCall, raw: string): void => {
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      sendError(res, call, 400, {
        message: 'We could not parse the JSON body of your request.',
        type: 'invalid_request_error',
        code: null,
      });
      return;
    }
    call.body = json;
    const parsed = ZEmbeddingRequest.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      sendError(res, call, 400, {
        message: `Invalid value for '${paramOf(issue.path) ?? 'body'}': ${issue.message}`,
        type: 'invalid_request_error',
        code: issue.code === 'unrecognized_keys' ? 'unknown_parameter' : 'invalid_value',
        param: paramOf(issue.path),
      });
      return;
    }
    const req = parsed.data;
    if (!models.includes(req.model)) {
      sendError(res, call, 404, {
        message: `The model \`${req.model}\` does not exist or you do not have access to it.`,
        type: 'invalid_request_error',
        code: 'model_not_found',
      });
      return;
    }
    const defaultDims = EMBEDDING_MODELS[req.model];
    if (defaultDims === undefined) {
      sendError(res, call, 400, {
        message: `This model does not support embeddings: ${req.model}`,
        type: 'invalid_request_error',
        code: null,
        param: 'model',
      });
      return;
    }
    const inputs = typeof req.input === 'string' ? [req.input] : req.input;
    for (const [i, text] of inputs.entries()) {
      if (text === '') {
        sendError(res, call, 400, {
          message: "'$.input' is invalid: an input is empty.",
          type: 'invalid_request_error',
          code: null,
          param: typeof req.input === 'string' ? 'input' : `input[${i}]`,
        });
        return;
      }
      if (estimateTokens(text.length) > EMBEDDING_INPUT_MAX_TOKENS) {
        sendError(res, call, 400, {
          message: `This model's maximum context length is ${EMBEDDING_INPUT_MAX_TOKENS} tokens; input ${i} is longer.`,
          type: 'invalid_request_error',
          code: null,
          param: 'input',
        });
        return;
      }
    }
    const dims = Math.min(req.dimensions ?? defaultDims, defaultDims);
    const tokens = inputs.reduce((n, t) => n + estimateTokens(t.length), 0);
    send(res, call, 200, {
      object: 'list',
      data: inputs.map((text, index) => {
        const vector = fakeEmbedding(text, dims);
        return {
          object: 'embedding',
          index,
          embedding:
            req.encoding_format === 'base64' ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : vector,
        };
      }),
      model: req.model,
      usage: { prompt_tokens: tokens, total_tokens: tokens },
    });
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const auth = req.headers.authorization ?? '';
    const call: TFakeOpenAiCall = {
      method: req.method ?? 'GET',
      path: url.pathname,
      apiKey: /^Bearer\s+/i.test(auth) ? auth.replace(/^Bearer\s+/i, '').trim() : '',
      body: undefined,
      status: 0,
      at: Date.now(),
    };
    if (url.pathname === '/health') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      return;
    }
    calls.push(call);
    let raw = '';
    try {
      raw = await readBody(req);
    } catch (err) {
      if (err instanceof BodyTooLarge) {
        sendError(res, call, 413, { message: 'Request body too large.', type: 'invalid_request_error', code: null });
        res.once('finish', () => req.destroy());
        return;
      }
      throw err;
    }
    if (url.pathname === '/v1/chat/completions') {
      if (call.method !== 'POST') {
        sendError(res, call, 405, {
          message: `Invalid method for URL (${call.method} /v1/chat/completions)`,
          type: 'invalid_request_error',
          code: null,
        });
        return;
      }
      if (injectedFailure(res, call, 'chat.completions') || !authorized(res, call)) return;
      await chatCompletion(res, call, raw);
      return;
    }
    if (url.pathname === '/v1/embeddings' && call.method === 'POST') {
      if (injectedFailure(res, call, 'embeddings') || !authorized(res, call)) return;
      embeddings(res, call, raw);
      return;
    }
    const modelPath = /^\/v1\/models(?:\/(.+))?$/.exec(url.pathname);
    if (modelPath && call.method === 'GET') {
      if (injectedFailure(res, call, 'models') || !authorized(res, call)) return;
      const id = modelPath[1] ? decodeURIComponent(modelPath[1]) : undefined;
      if (id === undefined) send(res, call, 200, { object: 'list', data: models.map(modelObject) });
      else if (models.includes(id)) send(res, call, 200, modelObject(id));
      else
        sendError(res, call, 404, {
          message: `The model '${id}' does not exist`,
          type: 'invalid_request_error',
          code: 'model_not_found',
          param: 'model',
        });
      return;
    }
    sendError(res, call, 404, {
      message: `Invalid URL (${call.method} ${url.pathname})`,
      type: 'invalid_request_error',
      code: null,
    });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent)
        res.writeHead(500, { 'content-type': 'application/json' }).end(
          JSON.stringify({
            error: {
              message: `fake OpenAI: ${(err as Error).message}`,
              type: 'server_error',
              param: null,
              code: null,
            },
          }),
        );
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    port,
    apiKey: firstKey,
    models,
    calls,
    completions: () => [...answered],
    enqueue: (...replies) => void script.push(...replies),
    pending: () => script.length,
    failNext(endpoint, failure, times = 1) {
      const queue = failures.get(endpoint) ?? [];
      for (let i = 0; i < times; i++) queue.push(failure);
      failures.set(endpoint, queue);
    },
    addApiKey: (key) => void keys.add(key),
    revokeApiKey: (key) => void keys.delete(key),
    reset() {
      calls.length = 0;
      answered.length = 0;
      script.length = 0;
      failures.clear();
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
