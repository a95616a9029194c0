// The standalone server over real HTTP on loopback, as curl or a browser app on another port would use it.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { MockCliUsageError, parseMockCliArguments, runMockCli } from './cli.js';
import { type RunningMockServer, startMockServer } from './standalone.js';
import { createMockState } from './state.js';
import { createTestP12 } from './test-p12.js';
import { SpecValidator } from './validation.js';

const AUTH = { Authorization: 'Bearer anything' };
const p12 = createTestP12({ commonName: 'curl-client', password: 'changeit' });
const validator = new SpecValidator();
let mock: RunningMockServer;

beforeAll(async () => {
  mock = await startMockServer({ port: 0 });
});
beforeEach(() => mock.state.reset());
afterAll(() => mock.close());

describe('startMockServer', () => {
  test('listens on loopback and answers the operations endpoints', async () => {
    expect(mock.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const health = await fetch(`${mock.url}/healthz`);
    expect(await validator.response('getHealth', health)).toEqual([]);
    expect(await health.json()).toEqual({ status: 'ok' });
  });

  test('curl itself uploads a file with a JSON certificate part, and lists it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mtls-mock-curl-'));
    writeFileSync(join(dir, 'client.p12'), p12);
    const curl = (args: string[]) => promisify(execFile)('curl', ['--silent', '--show-error', ...args]);
    const created = await curl([
      '--header',
      'Authorization: Bearer anything',
      '--form',
      `file=@${join(dir, 'client.p12')};type=application/x-pkcs12`,
      '--form',
      'certificate={"name":"ByCurl","password":"changeit"};type=application/json',
      '--write-out',
      '\n%{http_code}',
      `${mock.url}/mtls/account/le1606809/certificates/byFile`,
    ]);
    const [body, status] = created.stdout.split('\n');
    expect(status).toBe('201');
    expect(JSON.parse(body ?? '').successfulySavedCertificates[0]).toMatchObject({
      name: 'ByCurl',
      status: 'Available',
    });
    const listed = await curl([
      '--header',
      'Authorization: Bearer anything',
      `${mock.url}/mtls/account/le1606809/certificates`,
    ]);
    expect(JSON.parse(listed.stdout).map((certificate: { name: string }) => certificate.name)).toEqual([
      'ByCurl',
    ]);
  });

  test('a multipart upload, then the JSON operations see it', async () => {
    const form = new FormData();
    form.set('file', new Blob([p12], { type: 'application/x-pkcs12' }), 'client.p12');
    form.set('certificate', JSON.stringify({ name: 'Cert1', password: 'changeit' }));
    const created = await fetch(`${mock.url}/mtls/account/le1606809/certificates/byFile`, {
      method: 'POST',
      headers: AUTH,
      body: form,
    });
    expect(created.status).toBe(201);
    expect(await validator.response('createCertificateFromFile', created)).toEqual([]);
    const [saved] = (await created.json()).successfulySavedCertificates;
    expect(saved).toMatchObject({ name: 'Cert1', subject: 'CN=curl-client', status: 'Available' });

    const list = await fetch(`${mock.url}/mtls/account/le1606809/certificates`, { headers: AUTH });
    expect(await list.json()).toEqual([saved]);
    expect(list.headers.get('X-Request-Id')).toMatch(/^req-mock-/);
    expect(mock.state.listCertificates('le1606809')).toEqual([saved]);
  });

  test('problems, forwarding, HEAD and unknown routes behave as through MSW', async () => {
    const unauthorized = await fetch(`${mock.url}/mtls/account/le1606809/mappings`);
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.headers.get('LP-gateway-error')).toBe('unauthorized');

    const forwarded = await fetch(`${mock.url}/mtls/account/le1606809`, {
      method: 'POST',
      headers: { ...AUTH, 'LP-forward-url': 'https://api.example.com/x', 'Content-Type': 'text/plain' },
      body: 'hello',
    });
    expect(await forwarded.json()).toMatchObject({
      method: 'POST',
      url: 'https://api.example.com/x',
      body: 'hello',
    });

    const head = await fetch(`${mock.url}/mtls/account/le1606809`, {
      method: 'HEAD',
      headers: { ...AUTH, 'LP-forward-url': 'https://api.example.com/x' },
    });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');

    const unknown = await fetch(`${mock.url}/somewhere/else`);
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('LP-gateway-error')).toBe('route_not_found');
  });

  test('a network-error scenario drops the connection', async () => {
    mock.state.scenarios.once('getHealth', { networkError: true });
    await expect(fetch(`${mock.url}/healthz`)).rejects.toThrow(TypeError);
    expect((await fetch(`${mock.url}/healthz`)).status).toBe(200);
  });

  test('CORS: preflights are answered and gateway headers are exposed', async () => {
    const preflight = await fetch(`${mock.url}/mtls/account/le1606809/certificates`, {
      method: 'OPTIONS',
      headers: {
        Origin: 'http://localhost:5173',
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'authorization, content-type',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('Access-Control-Allow-Origin')).toBe('http://localhost:5173');
    expect(preflight.headers.get('Access-Control-Allow-Headers')).toBe('authorization, content-type');
    const answer = await fetch(`${mock.url}/healthz`, { headers: { Origin: 'http://localhost:5173' } });
    expect(answer.headers.get('Access-Control-Expose-Headers')).toContain('LP-gateway-error');
  });

  test('a body over the limit is refused with 413 without reading it all', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const request = httpRequest(`${mock.url}/mtls/account/le1606809`, {
        method: 'POST',
        headers: {
          ...AUTH,
          'LP-forward-url': 'https://api.example.com/x',
          'Content-Type': 'application/octet-stream',
        },
      });
      request.on('response', (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      });
      request.on('error', reject);
      request.end(Buffer.alloc(10 * 1024 * 1024 + 1));
    });
    expect(status).toBe(413);
  });
});

describe('mtls-mock command', () => {
  test('parses its options', () => {
    expect(parseMockCliArguments([])).toEqual({
      port: 4010,
      host: '127.0.0.1',
      seedFile: undefined,
      help: false,
    });
    expect(parseMockCliArguments(['--port', '0', '--host', '::1', '--seed', 's.json'])).toMatchObject({
      port: 0,
      host: '::1',
      seedFile: 's.json',
    });
    expect(() => parseMockCliArguments(['--port', 'eighty'])).toThrow(MockCliUsageError);
    expect(() => parseMockCliArguments(['--nope'])).toThrow(MockCliUsageError);
  });

  test('starts with a seed file and prints its URL', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'mtls-mock-'));
    const seedFile = join(directory, 'seed.json');
    writeFileSync(
      seedFile,
      JSON.stringify({
        idSeed: 42,
        certificates: [
          { accountId: 'le1606809', name: 'Seeded', notAfter: '2099-01-01T00:00:00.000Z' },
          {
            accountId: 'le1606809',
            name: 'FromFile',
            p12: Buffer.from(p12).toString('base64'),
            password: 'changeit',
          },
        ],
        mappings: [
          {
            accountId: 'le1606809',
            certificate: 'Seeded',
            serviceName: 'IDP',
            url: 'https://idp.example.com/*',
          },
        ],
      }),
    );
    const lines: string[] = [];
    const server = await runMockCli(['--port', '0', '--seed', seedFile], { log: (line) => lines.push(line) });
    try {
      expect(lines).toEqual([`mtls-mock listening on ${server?.url}`]);
      const list = await fetch(`${server?.url}/mtls/account/le1606809/certificates`, { headers: AUTH });
      const names = ((await list.json()) as Array<{ name: string; id: number }>).map(
        (certificate) => certificate.name,
      );
      expect(names).toEqual(['Seeded', 'FromFile']);
      const expectedId = createMockState({ idSeed: 42 }).addCertificate({ accountId: 'x', name: 'y' }).id;
      expect(server?.state.listCertificates('le1606809')[0]?.id).toBe(expectedId);
      const check = await fetch(`${server?.url}/api/account/le1606809/checks/serviceUrlMappings`, {
        method: 'POST',
        headers: { ...AUTH, 'Content-Type': 'application/json' },
        body: JSON.stringify([{ serviceName: 'IDP', url: 'https://idp.example.com/token' }]),
      });
      expect(await check.json()).toEqual([
        { serviceName: 'IDP', url: 'https://idp.example.com/token', exist: true },
      ]);
    } finally {
      await server?.close();
    }
  });

  test('an unreadable seed file is a usage error', async () => {
    await expect(
      runMockCli(['--port', '0', '--seed', '/nonexistent/seed.json'], { log: () => {} }),
    ).rejects.toThrow(MockCliUsageError);
  });
});
