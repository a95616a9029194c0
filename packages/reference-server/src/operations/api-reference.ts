import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { stringify } from 'yaml';
import type { GatewaySpec } from '../http/openapi.js';

/**
 * Where `/docs` loads its renderer from: Scalar's API reference (`@scalar/api-reference`, its standalone browser
 * bundle), served by the gateway itself so the page loads nothing from another origin.
 */
export const API_REFERENCE_SCRIPT_PATH = '/docs/api-reference.js';

/**
 * The Content-Security-Policy of `/docs`: scripts from this origin only (no inline script runs: the spec and the
 * renderer's configuration are data), inline styles (the renderer injects its stylesheet), `data:` images and
 * fonts, requests (the page's "Test request") to this origin only, nothing framed, no form posted elsewhere.
 */
export const API_REFERENCE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * The renderer's options: no web fonts, no developer toolbar (it offers to upload the document to scalar.com),
 * no AI agent, no telemetry — the page works offline and reports nothing.
 */
const RENDERER_CONFIGURATION = {
  withDefaultFonts: false,
  showDeveloperTools: 'never',
  agent: { disabled: true },
  telemetry: false,
};

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

const pages = new WeakMap<GatewaySpec, string>();

/**
 * The `/docs` page (built once per spec): an HTML shell holding the bundled document as JSON data and loading
 * the renderer from {@link API_REFERENCE_SCRIPT_PATH}. Serve it with {@link API_REFERENCE_CSP}.
 *
 * @example
 * ```ts
 * reply.type('text/html; charset=utf-8').header('content-security-policy', API_REFERENCE_CSP).send(renderApiReference(spec));
 * ```
 */
export function renderApiReference(spec: GatewaySpec): string {
  let page = pages.get(spec);
  if (page === undefined) {
    const { info } = spec.document;
    const title = `${info.title ?? 'API'} ${info.version ?? ''}`.trim();
    // A data block, never executed; `<` escaped so no `</script>` in the document can end it early.
    const document = JSON.stringify(spec.document).replace(/</g, '\\u003c');
    const configuration = escapeHtml(JSON.stringify({ ...RENDERER_CONFIGURATION, metaData: { title } }));
    page = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title></head>
<body>
<noscript><h1>${escapeHtml(title)}</h1><p>This page needs JavaScript. The OpenAPI document: <a href="/openapi.yaml">/openapi.yaml</a></p></noscript>
<script id="api-reference" type="application/json" data-configuration="${configuration}">${document}</script>
<script src="${API_REFERENCE_SCRIPT_PATH}"></script>
</body></html>
`;
    pages.set(spec, page);
  }
  return page;
}

/** The renderer's script, plain and gzipped. */
export interface ApiReferenceScript {
  body: Buffer;
  gzip: Buffer;
}

let script: Promise<ApiReferenceScript> | undefined;

/**
 * The renderer's browser bundle from `node_modules` (read and compressed once per process, on first use).
 *
 * @example
 * ```ts
 * const { body } = await apiReferenceScript();
 * reply.type('text/javascript; charset=utf-8').send(body);
 * ```
 */
export function apiReferenceScript(): Promise<ApiReferenceScript> {
  if (!script) {
    script = (async () => {
      const path = createRequire(import.meta.url).resolve('@scalar/api-reference/browser/standalone.js');
      const body = await readFile(path);
      return { body, gzip: await promisify(gzip)(body) };
    })();
    // A failed read is retried by the next request.
    script.catch(() => {
      script = undefined;
    });
  }
  return script;
}

const yamlCache = new WeakMap<GatewaySpec, string>();

/**
 * The bundled document as YAML (rendered once per spec).
 *
 * @example
 * ```ts
 * reply.type('application/yaml').send(openApiYaml(spec));
 * ```
 */
export function openApiYaml(spec: GatewaySpec): string {
  let text = yamlCache.get(spec);
  if (text === undefined) {
    text = stringify(spec.document, { lineWidth: 0 });
    yamlCache.set(spec, text);
  }
  return text;
}
