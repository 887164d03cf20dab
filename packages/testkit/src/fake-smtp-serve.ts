// Runs the fake SMTP server and its mail viewer as a long-lived local process for `npm start`:
//
//   tsx packages/testkit/src/fake-smtp-serve.ts --port 1025 --viewer-port 8025
//
// The web app sends its mail (sign-up confirmation, magic links, password resets, invitations) to
// smtp://127.0.0.1:<port>; open http://127.0.0.1:<viewer-port>/ to read it and click the links. Mail is kept in memory.
// Local demo tool only: it binds 127.0.0.1 and trusts whoever can reach that.
import { parseArgs } from 'node:util';
import { startFakeSmtp } from './fake-smtp.js';

const { values } = parseArgs({
  options: { port: { type: 'string', default: '1025' }, 'viewer-port': { type: 'string', default: '8025' } },
});
const port = Number(values.port);
const viewerPort = Number(values['viewer-port']);
if (!Number.isInteger(port) || !Number.isInteger(viewerPort)) {
  console.error('usage: tsx packages/testkit/src/fake-smtp-serve.ts [--port 1025] [--viewer-port 8025]');
  process.exit(2);
}
const smtp = await startFakeSmtp({ port, viewerPort });
process.stdout.write(`fake SMTP listening on ${smtp.url}; mail viewer at ${smtp.viewerUrl}\n`);
const stop = () => void smtp.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
