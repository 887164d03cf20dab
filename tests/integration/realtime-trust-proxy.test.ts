// Rate limits key on the client's address; X-Forwarded-For counts only when TRUST_PROXY_HOPS says proxies are in front.
import { afterEach, describe, expect, it } from 'vitest';
import { connectWidget, startHarness, type THarness } from './realtime-harness.js';

let h: THarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** The limits are fixed one-minute windows: start a burst well inside one so it cannot straddle two. */
async function insideOneWindow(): Promise<void> {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < 5_000) await new Promise((r) => setTimeout(r, left + 50));
}

const refusedCode = (p: Promise<unknown>) =>
  p.then(
    () => 'connected',
    (err: { data?: { code?: string } }) => err.data?.code ?? 'error',
  );

describe('client address behind proxies', () => {
  it('TRUST_PROXY_HOPS=0 (default): a forged X-Forwarded-For does not escape the per-IP connection limit', async () => {
    h = await startHarness({ connectionLimits: { perIp: 2, perProject: 1000 } });
    const t = await h.tenant();
    await insideOneWindow();
    const results = [];
    for (const ip of ['198.51.100.1', '198.51.100.2', '198.51.100.3']) {
      results.push(
        await refusedCode(connectWidget(h.url, { ...t, headers: { 'x-forwarded-for': ip } }).then((c) => c.close())),
      );
    }
    expect(results).toEqual(['connected', 'connected', 'rate_limited']);
  });

  it('TRUST_PROXY_HOPS=1: the address the proxy appended is the client; entries the client forged are ignored', async () => {
    h = await startHarness({ connectionLimits: { perIp: 2, perProject: 1000 }, trustProxyHops: 1 });
    const t = await h.tenant();
    await insideOneWindow();
    const connect = (xff: string) =>
      refusedCode(connectWidget(h!.url, { ...t, headers: { 'x-forwarded-for': xff } }).then((c) => c.close()));
    // Same client (203.0.113.7) three times, each time with a different forged left-hand entry.
    expect(await connect('1.1.1.1, 203.0.113.7')).toBe('connected');
    expect(await connect('2.2.2.2, 203.0.113.7')).toBe('connected');
    expect(await connect('3.3.3.3, 203.0.113.7')).toBe('rate_limited');
    // Another client behind the same proxy has its own budget.
    expect(await connect('203.0.113.8')).toBe('connected');
  });
});
