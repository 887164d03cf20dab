import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  isForbiddenAddress,
  createAllowList,
  safeFetch,
  FetchRefusedError,
  type TResolvedAddress,
} from './safe-fetch.js';

describe('isForbiddenAddress', () => {
  it('refuses loopback, private, CGNAT, link-local, ULA, mapped and embedded IPv4, and more', () => {
    for (const a of [
      '127.0.0.1',
      '10.1.2.3',
      '172.16.0.1',
      '172.31.255.255',
      '192.168.1.1',
      '100.64.0.1',
      '169.254.169.254',
      '0.0.0.0',
      '224.0.0.1',
      '255.255.255.255',
      '::1',
      '::',
      'fc00::1',
      'fd12:3456::1',
      'fe80::1',
      '::ffff:127.0.0.1',
      '::ffff:7f00:1',
      '::ffff:a9fe:a9fe',
      '64:ff9b::a00:1',
      '2002:a00:1::',
      'not-an-ip',
    ])
      expect(isForbiddenAddress(a), a).toBe(true);
    for (const a of ['93.184.216.34', '8.8.8.8', '172.32.0.1', '100.128.0.1', '2606:4700::1111', '::ffff:8.8.8.8'])
      expect(isForbiddenAddress(a), a).toBe(false);
  });

  it('lets the allowlist through, and nothing else', () => {
    const allow = createAllowList(['127.0.0.1', '10.9.0.0/16']);
    expect(isForbiddenAddress('127.0.0.1', allow)).toBe(false);
    expect(isForbiddenAddress('127.0.0.2', allow)).toBe(true);
    expect(isForbiddenAddress('10.9.200.1', allow)).toBe(false);
    expect(isForbiddenAddress('10.8.0.1', allow)).toBe(true);
    expect(() => createAllowList(['localhost'])).toThrow(/Not an IP/);
  });
});

describe('safeFetch', () => {
  let server: Server;
  let port: number;
  const hits: string[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      hits.push(req.url ?? '');
      if (req.url === '/to-metadata')
        res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
      else if (req.url === '/to-name') res.writeHead(301, { location: `http://internal.example:${port}/ok` }).end();
      else if (req.url === '/loop') res.writeHead(302, { location: '/loop' }).end();
      else if (req.url === '/big') res.writeHead(200, { 'content-type': 'text/plain' }).end('x'.repeat(5000));
      else res.writeHead(200, { 'content-type': 'text/html' }).end('<p>hello</p>');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const expectRefusal = async (p: Promise<unknown>, reason: string) => {
    const err = await p.then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(FetchRefusedError);
    expect((err as FetchRefusedError).reason).toBe(reason);
  };

  it('refuses loopback without the allowlist, and fetches it with', async () => {
    await expectRefusal(safeFetch(`http://127.0.0.1:${port}/ok`, { allow: [] }), 'private_address');
    const res = await safeFetch(`http://127.0.0.1:${port}/ok`, { allow: ['127.0.0.1'] });
    expect(res.status).toBe(200);
    expect(res.body.toString()).toContain('hello');
  });

  it('refuses a name with any private address among its answers', async () => {
    const resolve = async (): Promise<TResolvedAddress[]> => [
      { address: '93.184.216.34', family: 4 },
      { address: '10.0.0.5', family: 4 },
    ];
    await expectRefusal(safeFetch('http://mixed.example/', { allow: [], resolve }), 'private_address');
  });

  it('resolves once and connects to the checked address (DNS rebinding)', async () => {
    // First answer: the allowed test server; any later answer: a private address. The request must reach the
    // server, i.e. the connection used the first (checked) answer and never asked again.
    let calls = 0;
    const resolve = async (): Promise<TResolvedAddress[]> => {
      calls++;
      return [{ address: calls === 1 ? '127.0.0.1' : '10.0.0.1', family: 4 }];
    };
    const res = await safeFetch(`http://rebind.example:${port}/ok`, { allow: ['127.0.0.1'], resolve });
    expect(res.status).toBe(200);
    expect(calls).toBe(1);
    // And a name whose (only) answer is private is refused before any connection.
    const before = hits.length;
    await expectRefusal(
      safeFetch(`http://rebind2.example:${port}/ok`, {
        allow: [],
        resolve: async () => [{ address: '127.0.0.1', family: 4 }],
      }),
      'private_address',
    );
    expect(hits.length).toBe(before);
  });

  it('re-checks every redirect: to a private address literal, and to a name that resolves to one', async () => {
    await expectRefusal(safeFetch(`http://127.0.0.1:${port}/to-metadata`, { allow: ['127.0.0.1'] }), 'private_address');
    const resolve = async (host: string): Promise<TResolvedAddress[]> =>
      host === 'internal.example' ? [{ address: '192.168.0.10', family: 4 }] : [{ address: '127.0.0.1', family: 4 }];
    await expectRefusal(
      safeFetch(`http://public.example:${port}/to-name`, { allow: ['127.0.0.1'], resolve }),
      'private_address',
    );
    await expectRefusal(
      safeFetch(
        `http://127.0.0.1:${port}/to-name`,
        { allow: ['127.0.0.1'], resolve },
        { allowRedirect: (u) => u.hostname === '127.0.0.1' },
      ),
      'redirect_refused',
    );
  });

  it('bounds redirects and size, and refuses other schemes and credentials', async () => {
    await expectRefusal(safeFetch(`http://127.0.0.1:${port}/loop`, { allow: ['127.0.0.1'] }), 'too_many_redirects');
    await expectRefusal(
      safeFetch(`http://127.0.0.1:${port}/big`, { allow: ['127.0.0.1'], maxBytes: 1000 }),
      'too_large',
    );
    await expectRefusal(safeFetch('file:///etc/passwd', { allow: [] }), 'bad_url');
    await expectRefusal(safeFetch(`http://u:p@127.0.0.1:${port}/`, { allow: ['127.0.0.1'] }), 'bad_url');
    await expectRefusal(safeFetch('http://[::1]/', { allow: [] }), 'private_address');
  });
});
