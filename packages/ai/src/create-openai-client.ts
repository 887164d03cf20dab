import OpenAI from 'openai';

export interface TOpenAiClientConfig {
  apiKey: string;
  /** OPENAI_BASE_URL: OpenAI itself, a compatible server (Azure OpenAI, OpenRouter, vLLM, Ollama) or a test fake. */
  baseURL: string;
  /** Per request; a visitor is waiting, so a stuck provider must fail fast. */
  timeoutMs?: number;
  /**
   * The SDK's own retries (429/5xx/network, honouring retry-after). Default 0: the worker's job retries own the
   * backoff, so one place decides whether a visitor message may still be answered.
   */
  maxRetries?: number;
}

export function createOpenAiClient({
  apiKey,
  baseURL,
  timeoutMs = 30_000,
  maxRetries = 0,
}: TOpenAiClientConfig): OpenAI {
  return new OpenAI({ apiKey, baseURL, timeout: timeoutMs, maxRetries });
}
