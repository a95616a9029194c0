/**
 * Small steps the scenario files share.
 */
import { type Certificate, MtlsGatewayError } from '@mtls-gateway/sdk';
import { expect } from 'vitest';
import type { ClientP12 } from '../support/fixtures.js';
import type { ScenarioContext } from '../support/scenario.js';
import type { UpstreamEcho } from '../support/upstream.js';

/** An id no target has (below 2^53, a valid path value). */
export const UNKNOWN_ID = 9_007_199_254_740_000;

/** Awaits a call that must fail with the gateway's own answer `status` (and problem `code`). */
export async function expectProblem(
  call: Promise<unknown>,
  status: number,
  code?: string,
): Promise<MtlsGatewayError> {
  const outcome = await call.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  if (!('error' in outcome)) {
    throw new Error(`expected the gateway's ${status}${code ? ` ${code}` : ''}, but the call succeeded`);
  }
  const { error } = outcome;
  expect(error, String(error)).toBeInstanceOf(MtlsGatewayError);
  const gatewayError = error as MtlsGatewayError;
  expect({ status: gatewayError.status, code: gatewayError.code }).toEqual({
    status,
    code: code ?? gatewayError.code,
  });
  // Every answer of the gateway itself names its problem in LP-gateway-error (the recorder checks the body).
  expect(gatewayError.headers?.get('LP-gateway-error')).toBe(gatewayError.code);
  return gatewayError;
}

/** Uploads a new certificate (JSON form) and deletes it after the scenario. */
export async function uploadCertificate(
  context: ScenarioContext,
  label: string,
  p12: ClientP12 = context.fixtures.p12(),
): Promise<{ certificate: Certificate; p12: ClientP12 }> {
  const name = context.fixtures.uniqueName(label);
  const result = await context.client.certificates.create({ name, p12: p12.bytes, password: p12.password });
  const [certificate] = result.successfulySavedCertificates;
  if (!certificate) throw new Error(`the upload of ${name} saved nothing: ${JSON.stringify(result)}`);
  context.defer(() => context.client.certificates.delete(certificate.id));
  return { certificate, p12 };
}

/** The contract upstream's echo of a forwarded request. */
export async function echoOf(response: Response): Promise<UpstreamEcho> {
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  return (await response.json()) as UpstreamEcho;
}

/** The upstream base URL of the target (scenarios that need one require `forwardTarget` or `upstream`). */
export function upstreamUrl(context: ScenarioContext, path: string): string {
  const base = context.env.upstream?.url;
  if (!base) throw new Error('this scenario needs env.upstream');
  return `${base.replace(/\/+$/, '')}${path}`;
}

/**
 * A URL no request may reach: the target's unreachable URL when it has one, else a reserved `.invalid`
 * name (never resolvable) — for scenarios where the gateway must answer before calling anything.
 */
export function neverCalledUrl(context: ScenarioContext, path: string): string {
  return `${context.env.upstream?.unreachableUrl ?? 'https://never.contract.invalid/unreachable'}${path}`;
}

/** A request sent as-is through the recorder (for what the SDK refuses to send). */
export async function sendRaw(
  context: ScenarioContext,
  method: string,
  path: string,
  init: { headers?: Record<string, string>; body?: BodyInit; token?: string | null } = {},
): Promise<Response> {
  const token = init.token === undefined ? context.env.token : init.token;
  const headers = new Headers(init.headers);
  if (token !== null) headers.set('Authorization', `Bearer ${token}`);
  return context.recorder.fetch(
    new Request(`${context.env.baseUrl}${path}`, { method, headers, body: init.body ?? null }),
  );
}

/** Reads a problem answer and checks status and code (an answer to HEAD has no body to read). */
export async function expectProblemResponse(
  response: Response,
  status: number,
  code?: string,
  options: { head?: boolean } = {},
): Promise<void> {
  const text = await response.text();
  expect(response.status, text.slice(0, 500)).toBe(status);
  expect(response.headers.get('LP-gateway-error')).toBe(code ?? response.headers.get('LP-gateway-error'));
  // HEAD: the problem is in the header only (the recorder checked the documented headers).
  if (options.head) return;
  const problem = JSON.parse(text) as { code?: string; status?: number };
  expect(problem.status).toBe(status);
  if (code) expect(problem.code).toBe(code);
}

/** Base64 of bytes (the SDK sends p12 files this way; raw requests need it too). */
export function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64');
}

/** The path of an account resource. */
export function accountPath(context: ScenarioContext, rest = '', accountId = context.env.accountId): string {
  return `/mtls/account/${accountId}${rest}`;
}
