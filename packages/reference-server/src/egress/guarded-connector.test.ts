import { type buildConnector, Client, buildConnector as undiciConnector } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestCA, startTlsServer, type TestTlsServer } from '../../../../test/support/pki.js';
import { EgressPolicy, EgressRefusedError } from './egress-policy.js';
import { createGuardedConnector, type HostResolver } from './guarded-connector.js';

// Network rule: the only sockets opened here go to 127.0.0.1. Every refused destination is tested with a
// socket opener that never connects and only counts, so a bug fails the test instead of reaching the address.

interface CountingOpener {
  connect: buildConnector.connector;
  /** The addresses the connector asked to open, in order. */
  calls: string[];
}

/** Opens nothing: counts, then fails. */
function neverConnect(): CountingOpener {
  const calls: string[] = [];
  return {
    calls,
    connect(options, callback) {
      calls.push(options.hostname);
      callback(new Error('test opener: no socket may be opened here'), null);
    },
  };
}

/** Counts, then opens the socket with undici's connector — only for loopback tests. */
function countingLoopbackConnect(ca: string): CountingOpener {
  const calls: string[] = [];
  const real = undiciConnector({ ca, timeout: 5_000 });
  return {
    calls,
    connect(options, callback) {
      calls.push(options.hostname);
      if (!options.hostname.startsWith('127.') && options.hostname !== '::1') {
        callback(new Error(`test opener: refusing non-loopback ${options.hostname}`), null);
        return;
      }
      real(options, callback);
    },
  };
}

function stubResolver(table: Record<string, string[]>): HostResolver & { calls: string[] } {
  const calls: string[] = [];
  const resolve = async (hostname: string) => {
    calls.push(hostname);
    const addresses = table[hostname];
    if (!addresses)
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return addresses.map((address) => ({
      address,
      family: address.includes(':') ? (6 as const) : (4 as const),
    }));
  };
  return Object.assign(resolve, { calls });
}

async function get(origin: string, connect: buildConnector.connector) {
  const client = new Client(origin, { connect });
  try {
    const response = await client.request({ method: 'GET', path: '/probe' });
    const body = await response.body.text();
    return { status: response.statusCode, body };
  } finally {
    await client.destroy();
  }
}

describe('createGuardedConnector', () => {
  const ca = createTestCA();
  const serverCert = ca.issue({ commonName: 'localhost', kind: 'server' });
  let server: TestTlsServer;

  beforeAll(async () => {
    server = await startTlsServer(serverCert, (_request, response) => response.end('hello'));
  });
  afterAll(async () => {
    await server.close();
  });

  it.each([
    ['internal.example.com', ['10.0.0.7']],
    ['router.example.com', ['192.168.1.1']],
    ['corp.example.com', ['172.20.0.1']],
    ['metadata.example.com', ['169.254.169.254']],
    ['cgnat.example.com', ['100.64.1.1']],
    ['ula.example.com', ['fd00::1']],
    ['mapped.example.com', ['::ffff:10.0.0.1']],
    ['nat64.example.com', ['64:ff9b::a00:1']],
    ['linklocal6.example.com', ['fe80::1%eth0']],
    ['loopback.example.com', ['127.0.0.1']],
    ['loopback6.example.com', ['::1']],
    // One refused address refuses the name, even when another one is public.
    ['mixed.example.com', ['93.184.215.14', '10.0.0.1']],
    ['mixed-first.example.com', ['10.0.0.1', '93.184.215.14']],
  ])('refuses %s → %j without opening a socket', async (hostname, addresses) => {
    const resolve = stubResolver({ [hostname]: addresses });
    const opener = neverConnect();
    const connect = createGuardedConnector({
      policy: new EgressPolicy(),
      resolve,
      connectSocket: opener.connect,
    });
    await expect(get(`https://${hostname}`, connect)).rejects.toBeInstanceOf(EgressRefusedError);
    expect(resolve.calls).toEqual([hostname]);
    expect(opener.calls).toEqual([]);
  });

  it('refuses a trailing-dot name resolving to loopback', async () => {
    const resolve = stubResolver({ 'localhost.': ['127.0.0.1'] });
    const opener = neverConnect();
    const connect = createGuardedConnector({
      policy: new EgressPolicy(),
      resolve,
      connectSocket: opener.connect,
    });
    await expect(get('https://localhost.', connect)).rejects.toThrow(/loopback/);
    expect(opener.calls).toEqual([]);
  });

  it('refuses an unlisted loopback server: no socket, no connection on the server', async () => {
    const opener = countingLoopbackConnect(ca.certPem);
    const connect = createGuardedConnector({ policy: new EgressPolicy(), connectSocket: opener.connect });
    const before = server.connectionCount;
    await expect(get(server.url, connect)).rejects.toBeInstanceOf(EgressRefusedError);
    expect(opener.calls).toEqual([]);
    expect(server.connectionCount).toBe(before);
  });

  it('reaches a loopback server that is allowlisted by address', async () => {
    const opener = countingLoopbackConnect(ca.certPem);
    const policy = new EgressPolicy({ allow: ['127.0.0.1'] });
    const connect = createGuardedConnector({ policy, connectSocket: opener.connect });
    await expect(get(server.url, connect)).resolves.toEqual({ status: 200, body: 'hello' });
    expect(opener.calls).toEqual(['127.0.0.1']);
  });

  it('connects by name to the address it checked, verifying the certificate against the name', async () => {
    const resolve = stubResolver({ localhost: ['127.0.0.1'] });
    const opener = countingLoopbackConnect(ca.certPem);
    const policy = new EgressPolicy({ allow: [`localhost:${server.port}`] });
    const connect = createGuardedConnector({ policy, resolve, connectSocket: opener.connect });
    await expect(get(`https://localhost:${server.port}`, connect)).resolves.toMatchObject({ status: 200 });
    expect(opener.calls).toEqual(['127.0.0.1']);
    // The allowlist entry is port-specific.
    const otherPort = createGuardedConnector({ policy, resolve, connectSocket: neverConnect().connect });
    await expect(get(`https://localhost:${server.port + 1}`, otherPort)).rejects.toBeInstanceOf(
      EgressRefusedError,
    );
  });

  it('resolves on every connection and re-checks, so a rebinding name is caught', async () => {
    let answer = ['127.0.0.1'];
    const resolve: HostResolver = async () => answer.map((address) => ({ address, family: 4 as const }));
    const opener = countingLoopbackConnect(ca.certPem);
    // Only the address is allowlisted, not the name: the second resolution must be refused.
    const policy = new EgressPolicy({ allow: ['127.0.0.1/32'] });
    const connect = createGuardedConnector({ policy, resolve, connectSocket: opener.connect });
    await expect(get(`https://localhost:${server.port}`, connect)).resolves.toMatchObject({ status: 200 });
    answer = ['10.0.0.1'];
    await expect(get(`https://localhost:${server.port}`, connect)).rejects.toBeInstanceOf(EgressRefusedError);
    expect(opener.calls).toEqual(['127.0.0.1']);
  });

  it('fails with ENOTFOUND when the name does not resolve', async () => {
    const opener = neverConnect();
    const connect = createGuardedConnector({
      policy: new EgressPolicy(),
      resolve: stubResolver({}),
      connectSocket: opener.connect,
    });
    await expect(get('https://nowhere.example', connect)).rejects.toMatchObject({ code: 'ENOTFOUND' });
    expect(opener.calls).toEqual([]);
  });

  it('times out a name resolution that hangs', async () => {
    const connect = createGuardedConnector({
      policy: new EgressPolicy(),
      resolve: () => new Promise(() => undefined),
      connectSocket: neverConnect().connect,
      resolveTimeoutMs: 50,
    });
    await expect(get('https://slow-dns.example', connect)).rejects.toMatchObject({
      code: 'UND_ERR_CONNECT_TIMEOUT',
    });
  });
});
