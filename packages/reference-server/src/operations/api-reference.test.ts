import { readFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewaySpec } from '../http/openapi.js';
import { startTestApp, type TestApp, testConfig } from '../http/testing/test-app.js';
import { migrate } from '../storage/migrations.js';
import { openTestPglite, type TestDatabase } from '../storage/testing/test-databases.js';
import { API_REFERENCE_SCRIPT_PATH, renderApiReference } from './api-reference.js';

/** A GET without fetch's automatic decompression: headers and the bytes as sent. */
function rawGet(url: string, headers: Record<string, string>) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }>(
    (resolve, reject) => {
      httpRequest(url, { headers }, (response) => {
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
      })
        .on('error', reject)
        .end();
    },
  );
}

describe('API reference (/docs)', () => {
  let database: TestDatabase;
  let server: TestApp;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    database = await openTestPglite();
    await migrate(database.db);
    const prepared = await testConfig();
    cleanup = prepared.cleanup;
    server = await startTestApp({ db: database.db, config: prepared.config });
  });
  afterAll(async () => {
    await server?.close();
    await cleanup?.();
    await database?.cleanup();
  });

  it('is an HTML shell that loads only same-origin scripts, under a CSP that allows nothing else', async () => {
    const response = await fetch(`${server.url}/docs`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const csp = response.headers.get('content-security-policy') ?? '';
    const directives = new Map(
      csp.split(';').map((directive) => {
        const [name = '', ...values] = directive.trim().split(/\s+/);
        return [name, values] as const;
      }),
    );
    expect(directives.get('default-src')).toEqual(["'none'"]);
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(directives.get('connect-src')).toEqual(["'self'"]);
    for (const [name, values] of directives) {
      // No other origin anywhere, no eval, no inline script.
      for (const value of values) expect(value, name).toMatch(/^('self'|'none'|'unsafe-inline'|data:)$/);
      if (name === 'script-src') expect(values).not.toContain("'unsafe-inline'");
    }

    const html = await response.text();
    const scripts = [...html.matchAll(/<script\b([^>]*)>/g)].map((match) => match[1] ?? '');
    const sources = scripts.flatMap((attributes) =>
      [...attributes.matchAll(/\ssrc="([^"]*)"/g)].map((m) => m[1]),
    );
    expect(sources).toEqual([API_REFERENCE_SCRIPT_PATH]);
    // The only inline script is data (the document), which a browser never runs.
    const inline = scripts.filter((attributes) => !/\ssrc=/.test(attributes));
    expect(inline).toHaveLength(1);
    expect(inline[0]).toMatch(/\stype="application\/json"/);
    expect(html).not.toMatch(/<(link|img|iframe|object|embed)\b/i);
    expect(html).not.toMatch(/\s(src|href)="(https?:)?\/\//i);
  });

  it('holds the bundled document as JSON, so the page needs no other request for it', async () => {
    const html = await (await fetch(`${server.url}/docs`)).text();
    const match = /<script id="api-reference" type="application\/json"[^>]*>([^<]*)<\/script>/.exec(html);
    expect(match).not.toBeNull();
    const document = JSON.parse(match?.[1] ?? '');
    expect(document).toEqual(GatewaySpec.load().document);
    expect(document.paths['/mtls/account/{accountId}/certificates']).toBeDefined();
    expect(html).toContain('<title>mTLS Gateway API');
  });

  it('escapes the document so no string in it can end the data block', () => {
    const spec = GatewaySpec.load();
    const tricky = Object.create(spec) as GatewaySpec;
    Object.defineProperty(tricky, 'document', {
      value: {
        ...spec.document,
        info: { ...spec.document.info, description: '</script><script>alert(1)</script>' },
      },
    });
    const html = renderApiReference(tricky);
    expect(html.match(/<\/script>/g)).toHaveLength(2);
    expect(html).toContain('\\u003c/script>\\u003cscript>alert(1)\\u003c/script>');
  });

  it('serves the renderer from this origin as JavaScript, gzipped when the client accepts it', async () => {
    const bundle = await readFile(
      createRequire(import.meta.url).resolve('@scalar/api-reference/browser/standalone.js'),
    );
    const plain = await rawGet(`${server.url}${API_REFERENCE_SCRIPT_PATH}`, {
      'accept-encoding': 'identity',
    });
    expect(plain.status).toBe(200);
    expect(plain.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.headers['x-content-type-options']).toBe('nosniff');
    expect(plain.body.equals(bundle)).toBe(true);
    expect(plain.body.toString('utf8')).toContain('createApiReference');

    const gzipped = await rawGet(`${server.url}${API_REFERENCE_SCRIPT_PATH}`, {
      'accept-encoding': 'gzip, br',
    });
    expect(gzipped.headers['content-encoding']).toBe('gzip');
    expect(gzipped.headers.vary).toMatch(/accept-encoding/i);
    expect(gzipped.body.length).toBeLessThan(bundle.length / 2);
    // fetch decompresses: the same script.
    const fetched = await fetch(`${server.url}${API_REFERENCE_SCRIPT_PATH}`);
    expect(Buffer.from(await fetched.arrayBuffer()).equals(bundle)).toBe(true);
  });

  it('answers other methods on the script with the gateway’s 405', async () => {
    const response = await fetch(`${server.url}${API_REFERENCE_SCRIPT_PATH}`, { method: 'POST' });
    expect(response.status).toBe(405);
    expect(response.headers.get('lp-gateway-error')).toBe('method_not_allowed');
    expect(response.headers.get('allow')).toBe('GET');
  });
});
