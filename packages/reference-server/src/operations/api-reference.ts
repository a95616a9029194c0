import { stringify } from 'yaml';
import type { GatewaySpec, JsonObject, SpecOperation, SpecParameter } from '../http/openapi.js';

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** A one-line summary of a schema: its type (or `$ref` name), format, enum, pattern and bounds. */
export function describeSchema(schema: JsonObject): string {
  const parts: string[] = [];
  if (typeof schema.$ref === 'string') parts.push(schema.$ref.split('/').pop() ?? schema.$ref);
  if (typeof schema.type === 'string') parts.push(schema.type);
  if (typeof schema.format === 'string') parts.push(`(${schema.format})`);
  if (Array.isArray(schema.enum))
    parts.push(`one of ${schema.enum.map((value) => JSON.stringify(value)).join(', ')}`);
  if (typeof schema.pattern === 'string') parts.push(`pattern ${schema.pattern}`);
  if (typeof schema.maxLength === 'number') parts.push(`≤ ${schema.maxLength} chars`);
  if (schema.default !== undefined) parts.push(`default ${JSON.stringify(schema.default)}`);
  return parts.join(' ') || 'any';
}

function anchorOf(operation: SpecOperation): string {
  return `op-${operation.operationId}`;
}

function permissionsOf(operation: SpecOperation): string {
  if (operation.security.length === 0) return 'none (public)';
  return operation.security
    .map((requirement) =>
      Object.entries(requirement)
        .map(([scheme, scopes]) => `${scheme}${scopes.length > 0 ? ` [${scopes.join(', ')}]` : ''}`)
        .join(' + '),
    )
    .join(' or ');
}

function parameterRow(parameter: SpecParameter, document: GatewaySpec['document']): string {
  let schema = parameter.schema;
  if (typeof schema.$ref === 'string' && schema.$ref.startsWith('#/components/schemas/')) {
    const name = schema.$ref.slice('#/components/schemas/'.length);
    const schemas = (document.components?.schemas ?? {}) as Record<string, JsonObject>;
    schema = { ...schemas[name], $ref: schema.$ref };
  }
  return `<tr><td><code>${escapeHtml(parameter.name)}</code></td><td>${parameter.in}</td><td>${
    parameter.required ? 'yes' : 'no'
  }</td><td>${escapeHtml(describeSchema(schema))}</td><td>${escapeHtml(parameter.description ?? '')}</td></tr>`;
}

function renderOperation(operation: SpecOperation, spec: GatewaySpec): string {
  const parameters =
    operation.parameters.length === 0
      ? '<p>No parameters.</p>'
      : `<table><thead><tr><th>Name</th><th>In</th><th>Required</th><th>Schema</th><th>Description</th></tr></thead><tbody>${operation.parameters
          .map((parameter) => parameterRow(parameter, spec.document))
          .join('')}</tbody></table>`;
  const body = operation.requestBody
    ? `<p><strong>Request body</strong> (${operation.requestBody.required ? 'required' : 'optional'}): ${operation.requestBody.mediaTypes
        .map((type) => `<code>${escapeHtml(type)}</code>`)
        .join(', ')}</p>`
    : '';
  const responses = `<table><thead><tr><th>Status</th><th>Description</th><th>Media types</th></tr></thead><tbody>${operation.responses
    .map(
      (response) =>
        `<tr><td>${escapeHtml(response.status)}</td><td>${escapeHtml(response.description)}</td><td>${response.mediaTypes
          .map((type) => `<code>${escapeHtml(type)}</code>`)
          .join(', ')}</td></tr>`,
    )
    .join('')}</tbody></table>`;
  return `<section id="${anchorOf(operation)}">
<h3><span class="method ${operation.method.toLowerCase()}">${operation.method}</span> <code>${escapeHtml(operation.path)}</code>${
    operation.extension ? ' <span class="ext">extension</span>' : ''
  }</h3>
<p class="summary">${escapeHtml(operation.summary ?? '')} <small>(<code>${escapeHtml(operation.operationId)}</code>)</small></p>
<pre class="description">${escapeHtml(operation.description ?? '')}</pre>
<p><strong>Credentials</strong>: ${escapeHtml(permissionsOf(operation))}</p>
<h4>Parameters</h4>${parameters}${body}
<h4>Responses</h4>${responses}
</section>`;
}

const STYLE = `body{font-family:system-ui,sans-serif;max-width:1100px;margin:2rem auto;padding:0 1rem;color:#222}
pre{white-space:pre-wrap;background:#f6f8fa;padding:.75rem;border-radius:4px}
table{border-collapse:collapse;width:100%;margin:.5rem 0}td,th{border:1px solid #ddd;padding:.3rem .5rem;text-align:left;vertical-align:top}
.method{display:inline-block;min-width:4.5em;text-align:center;border-radius:3px;color:#fff;padding:0 .3em;font-size:.9em}
.get{background:#2f7d32}.post{background:#1565c0}.put{background:#ef6c00}.delete{background:#c62828}.patch{background:#6a1b9a}.head{background:#546e7a}
.ext{font-size:.75em;background:#eee;border-radius:3px;padding:0 .4em}section{border-top:1px solid #ddd;padding-top:.5rem}`;

/**
 * The API reference as one self-contained HTML page (no scripts, no external resources): the description,
 * then each operation grouped by tag with its parameters, body and responses.
 *
 * @example
 * ```ts
 * reply.type('text/html; charset=utf-8').send(renderApiReference(GatewaySpec.load()));
 * ```
 */
export function renderApiReference(spec: GatewaySpec): string {
  const { info } = spec.document;
  const operations = [...spec.operations.values()];
  const tags = [
    ...new Set(operations.flatMap((operation) => (operation.tags.length > 0 ? operation.tags : ['Other']))),
  ];
  const index = tags
    .map(
      (tag) =>
        `<li>${escapeHtml(tag)}<ul>${operations
          .filter((operation) => (operation.tags.length > 0 ? operation.tags : ['Other']).includes(tag))
          .map(
            (operation) =>
              `<li><a href="#${anchorOf(operation)}">${operation.method} ${escapeHtml(operation.path)}</a> — ${escapeHtml(operation.summary ?? '')}</li>`,
          )
          .join('')}</ul></li>`,
    )
    .join('');
  const sections = tags
    .map(
      (tag) =>
        `<h2>${escapeHtml(tag)}</h2>${operations
          .filter((operation) => (operation.tags.length > 0 ? operation.tags : ['Other']).includes(tag))
          .map((operation) => renderOperation(operation, spec))
          .join('\n')}`,
    )
    .join('\n');
  const title = `${info.title ?? 'API'} ${info.version ?? ''}`.trim();
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body><h1>${escapeHtml(title)}</h1>
<p>The OpenAPI document: <a href="/openapi.yaml">/openapi.yaml</a></p>
<pre class="description">${escapeHtml(typeof info.description === 'string' ? info.description : '')}</pre>
<nav><h2>Operations</h2><ul>${index}</ul></nav>
${sections}
</body></html>
`;
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
