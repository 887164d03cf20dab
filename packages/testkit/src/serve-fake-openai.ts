// Runs the fake OpenAI as a long-lived local process for `npm start` (no internet, no real key needed):
//
//   node --import tsx packages/testkit/src/serve-fake-openai.ts --port 8085 --key sk-local-…
//
// Point OPENAI_BASE_URL at http://127.0.0.1:<port>/v1 and OPENAI_API_KEY at the same key. With nothing scripted the
// "model" answers deterministically (it quotes the question, cites knowledge [1] when the prompt has some, and calls
// handoff_to_human when the visitor asks for a person), which is enough to try the AI fallback end to end.
// Local demo tool only: it binds 127.0.0.1 and keeps nothing.
import { parseArgs } from 'node:util';
import { startFakeOpenAi } from './fake-openai.js';

const { values } = parseArgs({ options: { port: { type: 'string', default: '8085' }, key: { type: 'string' } } });
const port = Number(values.port);
if (!Number.isInteger(port) || port < 1 || port > 65535 || !values.key || values.key.length < 8) {
  console.error(
    'usage: node --import tsx packages/testkit/src/serve-fake-openai.ts [--port 8085] --key <api key, 8+ characters>',
  );
  process.exit(2);
}
const fake = await startFakeOpenAi({ port, apiKeys: [values.key] }).catch((err: NodeJS.ErrnoException) => {
  console.error(
    err.code === 'EADDRINUSE'
      ? `fake OpenAI: port ${port} is already in use — another demo still running?`
      : `fake OpenAI: failed to start: ${err.message}`,
  );
  process.exit(1);
});
process.stdout.write(`fake OpenAI listening on ${fake.baseUrl}\n`);
const stop = () => void fake.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
