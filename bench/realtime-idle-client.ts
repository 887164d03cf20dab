// A child process holding many idle widget sockets with a raw WebSocket speaking Engine.IO v4 / Socket.IO v5:
// open packet `0{…}`, namespace connect `40/widget,{auth}`, answer pings `2` with `3`. ~1 KB per socket here,
// where socket.io-client would cost far more. Prints progress lines as JSON on stdout.
import { createRequire } from 'node:module';

// `ws` (a root dev dependency) ships no types at the root; the few members used here are declared instead.
interface TRawWs {
  on(event: 'message', fn: (data: Buffer) => void): void;
  on(event: 'error' | 'close', fn: () => void): void;
  send(data: string): void;
  close(): void;
  terminate(): void;
}
const WebSocket = createRequire(import.meta.url)('ws') as new (
  url: string,
  opts: { headers: Record<string, string>; localAddress?: string | undefined; perMessageDeflate: boolean },
) => TRawWs;

const [url, projectKey, origin, countArg, localAddress] = process.argv.slice(2);
const count = Number(countArg);
const wsUrl = `${url!.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`;
let connected = 0;
let failed = 0;
let inflight = 0;
let started = 0;
const sockets: TRawWs[] = [];

function open(): void {
  started += 1;
  inflight += 1;
  const ws = new WebSocket(wsUrl, { headers: { origin: origin! }, localAddress, perMessageDeflate: false });
  sockets.push(ws);
  let done = false;
  const finish = (ok: boolean) => {
    if (done) return;
    done = true;
    inflight -= 1;
    if (ok) connected += 1;
    else failed += 1;
  };
  ws.on('message', (data: Buffer) => {
    const s = data.toString();
    if (s.startsWith('0{')) ws.send(`40/widget,${JSON.stringify({ projectKey })}`);
    else if (s === '2') ws.send('3');
    else if (s.startsWith('40/widget,')) finish(true);
    else if (s.startsWith('44/widget,')) {
      finish(false);
      ws.close();
    }
  });
  ws.on('error', () => finish(false));
  ws.on('close', () => finish(false));
}

const timer = setInterval(() => {
  while (inflight < 200 && started < count) open();
  process.stdout.write(JSON.stringify({ connected, failed, started }) + '\n');
  if (connected + failed >= count) clearInterval(timer);
}, 50);
process.on('SIGTERM', () => {
  for (const ws of sockets) ws.terminate();
  process.exit(0);
});
