/**
 * Requests generated from the spec: for every operation, a valid baseline request (every required
 * parameter, header and body part, with values from the schemas, their examples and the test material) that
 * the negative tests, the 401/403/429 sweeps and the Prism checks mutate or send as-is.
 */
import { randomBytes } from 'node:crypto';
import type { ClientP12 } from './fixtures.js';
import { formShape, resolveSchema, type Schema, type SpecOperation } from './spec.js';

export interface MultipartPart {
  value: string | Uint8Array;
  contentType?: string | undefined;
  filename?: string | undefined;
}

export type RequestBody =
  | { kind: 'json'; value: unknown }
  | { kind: 'multipart'; parts: Record<string, MultipartPart> }
  | { kind: 'raw'; contentType: string | undefined; data: string | Uint8Array };

/** A request as parts, easy to mutate; {@link toRequest} makes the `Request`. */
export interface RequestParts {
  operation: SpecOperation;
  path: Record<string, string>;
  query: Record<string, string>;
  headers: Record<string, string>;
  body: RequestBody | undefined;
}

/** What baseline requests are made of. */
export interface BaselineMaterial {
  accountId: string;
  /** `Bearer …`, or `undefined` for no `Authorization`. */
  authorization: string | undefined;
  p12: ClientP12;
  /** Where forwarding and the p12 test point `LP-forward-url`. */
  forwardUrl: string;
  /** The certificate id of paths and bodies (default `1`, which no target has). */
  certificateId?: string | undefined;
  mappingId?: string | undefined;
}

const unique = () => randomBytes(4).toString('hex');

function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64');
}

/** Values the suite chooses by property or parameter name (the schemas alone cannot make a usable p12). */
function overrides(material: BaselineMaterial): Record<string, () => unknown> {
  return {
    name: () => `contract-generated-${unique()}`,
    p12: () => base64(material.p12.bytes),
    password: () => material.p12.password,
    id: () => Number(material.certificateId ?? '1'),
    url: () => `https://mapping.contract.test/generated/${unique()}?tenant=42`,
    serviceName: () => 'TEST_SERVICE',
  };
}

/** A value valid for `schema` (required properties only), preferring the named overrides and examples. */
export function sampleValue(schema: Schema, material: BaselineMaterial, propertyName?: string): unknown {
  const override = propertyName === undefined ? undefined : overrides(material)[propertyName];
  if (override) return override();
  const resolved = resolveSchema(schema);
  if (resolved.examples?.[0] !== undefined) return resolved.examples[0];
  if (resolved.enum?.[0] !== undefined) return resolved.enum[0];
  if (resolved.default !== undefined) return resolved.default;
  if (resolved.oneOf?.[0]) return sampleValue(resolved.oneOf[0], material);
  const type = Array.isArray(resolved.type) ? resolved.type[0] : resolved.type;
  switch (type) {
    case 'object': {
      const value: Record<string, unknown> = {};
      for (const name of resolved.required ?? []) {
        const property = resolved.properties?.[name];
        if (property) value[name] = sampleValue(property, material, name);
      }
      return value;
    }
    case 'array':
      return Array.from({ length: Math.max(1, resolved.minItems ?? 1) }, () =>
        sampleValue(resolved.items ?? {}, material),
      );
    case 'integer':
    case 'number':
      return resolved.minimum ?? 1;
    case 'boolean':
      return false;
    default:
      return 'x'.repeat(Math.max(1, resolved.minLength ?? 1));
  }
}

function parameterValue(name: string, schema: Schema, material: BaselineMaterial): string {
  switch (name) {
    case 'accountId':
      return material.accountId;
    case 'certificateId':
      return material.certificateId ?? '1';
    case 'mappingId':
      return material.mappingId ?? '1';
    case 'LP-forward-url':
      return material.forwardUrl;
    default:
      return String(sampleValue(schema, material));
  }
}

function multipartBody(schema: Schema, material: BaselineMaterial): Record<string, MultipartPart> {
  // The file forms name the certificate in a JSON `certificate` part (the documented way).
  const form = formShape(schema);
  const parts: Record<string, MultipartPart> = {};
  for (const name of form.required ?? []) {
    const property = resolveSchema(form.properties?.[name] ?? {});
    parts[name] =
      property.format === 'binary'
        ? { value: material.p12.bytes, contentType: 'application/x-pkcs12', filename: 'client.p12' }
        : name === 'certificate'
          ? { value: JSON.stringify(sampleValue(property, material)), contentType: 'application/json' }
          : { value: String(sampleValue(property, material, name)) };
  }
  return parts;
}

/** The valid baseline request of an operation. */
export function baselineRequest(operation: SpecOperation, material: BaselineMaterial): RequestParts {
  const parts: RequestParts = { operation, path: {}, query: {}, headers: {}, body: undefined };
  for (const parameter of operation.parameters) {
    if (!parameter.required) continue;
    const value = parameterValue(parameter.name, parameter.schema, material);
    if (parameter.in === 'path') parts.path[parameter.name] = value;
    else if (parameter.in === 'query') parts.query[parameter.name] = value;
    else if (parameter.in === 'header') parts.headers[parameter.name] = value;
  }
  if (material.authorization !== undefined && operation.permission !== undefined) {
    parts.headers.Authorization = material.authorization;
  }
  const content = operation.requestBody?.content;
  if (content?.['application/json']?.schema) {
    parts.body = { kind: 'json', value: sampleValue(content['application/json'].schema, material) };
  } else if (content?.['multipart/form-data']?.schema) {
    parts.body = { kind: 'multipart', parts: multipartBody(content['multipart/form-data'].schema, material) };
  }
  return parts;
}

function multipartForm(parts: Record<string, MultipartPart>): FormData {
  const form = new FormData();
  for (const [name, part] of Object.entries(parts)) {
    if (typeof part.value === 'string' && part.contentType === undefined) {
      form.append(name, part.value);
    } else {
      const blob = new Blob([part.value as BlobPart], {
        type: part.contentType ?? 'application/octet-stream',
      });
      form.append(name, blob, part.filename ?? name);
    }
  }
  return form;
}

/** The `Request` of request parts, against the gateway at `baseUrl`. */
export function toRequest(parts: RequestParts, baseUrl: string): Request {
  const path = parts.operation.pathTemplate.replace(/\{([^}]+)\}/g, (_match, name: string) =>
    encodeURIComponent(parts.path[name] ?? ''),
  );
  const url = new URL(`${baseUrl.replace(/\/+$/, '')}${path}`);
  for (const [name, value] of Object.entries(parts.query)) url.searchParams.set(name, value);
  const headers = new Headers(parts.headers);
  let body: BodyInit | undefined;
  if (parts.body?.kind === 'json') {
    body = JSON.stringify(parts.body.value);
    if (!headers.has('content-type')) headers.set('content-type', 'application/json');
  } else if (parts.body?.kind === 'multipart') {
    body = multipartForm(parts.body.parts);
  } else if (parts.body?.kind === 'raw') {
    body = parts.body.data as BodyInit;
    if (parts.body.contentType !== undefined) headers.set('content-type', parts.body.contentType);
  }
  return new Request(url, { method: parts.operation.method, headers, body, redirect: 'manual' });
}

/** A deep copy of request parts (for mutation). */
export function cloneParts(parts: RequestParts): RequestParts {
  return {
    operation: parts.operation,
    path: { ...parts.path },
    query: { ...parts.query },
    headers: { ...parts.headers },
    body:
      parts.body?.kind === 'json'
        ? { kind: 'json', value: structuredClone(parts.body.value) }
        : parts.body?.kind === 'multipart'
          ? { kind: 'multipart', parts: { ...parts.body.parts } }
          : parts.body,
  };
}
