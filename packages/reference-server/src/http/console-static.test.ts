import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../storage/migrations.js';
import { openTestPglite, type TestDatabase } from '../storage/testing/test-databases.js';
import {
  CONSOLE_CSP,
  consoleFileSegments,
  createConsoleRoutes,
  defaultConsoleDistDir,
} from './console-static.js';
import { startTestApp, type TestApp, testConfig } from './testing/test-app.js';

const SECRET = 'secret-outside-of-dist-4c1d';
const ASSET = 'assets/index-AbCdEf12.js';

/** A request sent as written: no URL normalisation (fetch would resolve `..` before sending). */
function rawRequest(
  baseUrl: string,
  rawPath: string,
  options: { method?: string; headers?: Record<string, string> } = {},
) {
  const { hostname, port } = new URL(baseUrl);
  return new Promise<{
    status: number;
    headers: Record<string, string | string[] | undefined>;
    body: Buffer;
  }>((resolve, reject) => {
    httpRequest(
      { hostname, port, path: rawPath, method: options.method ?? 'GET', headers: options.headers },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: Buffer.concat(chunks),
          }),
        );
        response.on('error', reject);
      },
    )
      .on('error', reject)
      .end();
  });
}

describe('console static files (/console/)', () => {
  let database: TestDatabase;
  let scratch: string;
  let built: TestApp;
  let notBuilt: TestApp;
  const cleanups: Array<() => Promise<void>> = [];

  beforeAll(async () => {
    database = await openTestPglite();
    await migrate(database.db);
    scratch = await mkdtemp(path.join(tmpdir(), 'mtls-console-static-'));
    const dist = path.join(scratch, 'dist');
    await mkdir(path.join(dist, 'assets'), { recursive: true });
    await writeFile(path.join(dist, 'index.html'), '<!doctype html><title>console</title>');
    await writeFile(path.join(dist, ASSET), `console.log(${JSON.stringify('x'.repeat(4096))});`);
    await writeFile(path.join(dist, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    await writeFile(path.join(dist, '.env'), SECRET);
    await writeFile(path.join(scratch, 'secret.txt'), SECRET);
    await symlink(path.join(scratch, 'secret.txt'), path.join(dist, 'leak.txt'));
    await mkdir(path.join(scratch, 'empty'));

    const first = await testConfig();
    cleanups.push(first.cleanup);
    built = await startTestApp({
      db: database.db,
      config: first.config,
      routes: [createConsoleRoutes({ distDir: dist })],
    });
    const second = await testConfig();
    cleanups.push(second.cleanup);
    notBuilt = await startTestApp({
      db: database.db,
      config: second.config,
      routes: [createConsoleRoutes({ distDir: path.join(scratch, 'empty') })],
    });
  });

  afterAll(async () => {
    await built?.close();
    await notBuilt?.close();
    for (const cleanup of cleanups) await cleanup();
    await database?.cleanup();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  it('serves index.html without credentials, under a CSP that allows only this origin, revalidated', async () => {
    const response = await fetch(`${built.url}/console/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('content-security-policy')).toBe(CONSOLE_CSP);
    expect(CONSOLE_CSP).not.toMatch(/unsafe|https?:|\*|data:/);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect(await response.text()).toContain('<title>console</title>');

    const etag = response.headers.get('etag') ?? '';
    const again = await fetch(`${built.url}/console/`, { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
  });

  it('redirects /console to /console/', async () => {
    const response = await fetch(`${built.url}/console`, { redirect: 'manual' });
    expect(response.status).toBe(308);
    expect(response.headers.get('location')).toBe('/console/');
  });

  it('serves hashed assets with their content type, cached for a year, gzipped when asked', async () => {
    const response = await rawRequest(built.url, `/console/${ASSET}?v=1`, {
      headers: { 'accept-encoding': 'gzip' },
    });
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(response.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(response.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(response.body).toString()).toContain('console.log');

    const svg = await fetch(`${built.url}/console/favicon.svg`);
    expect(svg.headers.get('content-type')).toBe('image/svg+xml');
    expect(svg.headers.get('cache-control')).toBe('no-cache');

    const head = await rawRequest(built.url, `/console/${ASSET}`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
  });

  it.each([
    '/console/../secret.txt',
    '/console/assets/../../secret.txt',
    '/console/..',
    '/console/%2e%2e/secret.txt',
    '/console/%2E%2E/secret.txt',
    '/console/.%2e/secret.txt',
    '/console/..%2fsecret.txt',
    '/console/%2e%2e%2fsecret.txt',
    '/console/assets%2f..%2f..%2fsecret.txt',
    '/console/..%5csecret.txt',
    '/console/%2e%2e%5c%2e%2e%5csecret.txt',
    '/console/index.html%00.js',
    '/console/.env',
    '/console//etc/passwd',
  ])('refuses %s with a 400 problem', async (rawPath) => {
    const response = await rawRequest(built.url, rawPath);
    expect(response.status).toBe(400);
    expect(response.headers['content-type']).toBe('application/problem+json');
    expect(response.headers['lp-gateway-error']).toBe('invalid_request');
    expect(response.body.toString()).not.toContain(SECRET);
  });

  it('refuses malformed percent-encoding (the router answers 400 before any route runs)', async () => {
    const response = await rawRequest(built.url, '/console/%E0%A4%A');
    expect(response.status).toBe(400);
    expect(response.body.toString()).not.toContain(SECRET);
  });

  it.each(['/console/%252e%252e/secret.txt', '/console/leak.txt', '/console/assets', '/console/nope.js'])(
    'answers %s with a 404 problem, never a file outside dist/',
    async (rawPath) => {
      const response = await rawRequest(built.url, rawPath);
      expect(response.status).toBe(404);
      expect(response.headers['lp-gateway-error']).toBe('not_found');
      expect(response.body.toString()).not.toContain(SECRET);
    },
  );

  it('answers 503 unavailable, saying how to build it, when the console is not built', async () => {
    const response = await fetch(`${notBuilt.url}/console/`);
    expect(response.status).toBe(503);
    expect(response.headers.get('lp-gateway-error')).toBe('unavailable');
    const problem = (await response.json()) as { code: string; detail: string };
    expect(problem.code).toBe('unavailable');
    expect(problem.detail).toContain('pnpm --filter @mtls-gateway/console build');
  });

  it('decodes path segments one by one', () => {
    expect(consoleFileSegments('/console/')).toEqual(['index.html']);
    expect(consoleFileSegments('/console/assets/a%20b.js')).toEqual(['assets', 'a b.js']);
    expect(consoleFileSegments('/console/a%2fb')).toBeInstanceOf(Error);
  });

  it('finds the installed console package', () => {
    expect(defaultConsoleDistDir()).toMatch(/console[/\\]dist$/);
  });
});
