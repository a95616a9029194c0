/**
 * Type tests, checked by `tsc -p tsconfig.json` (never run). Each `@ts-expect-error` line must stay an error:
 * an unused `@ts-expect-error` fails the typecheck, so none of these can silently start compiling.
 */
import { createMtlsGatewayClient, type MtlsGatewayClient } from './gateway-client.js';
import type { Certificate, ForwardMethod, Mapping } from './types.js';

const url = 'https://api.example.com/hooks';
const accountId = 'le1606809';

export async function rawClientIsTypedBySpec(client: MtlsGatewayClient): Promise<void> {
  const { raw } = client;
  const path = { accountId };

  // @ts-expect-error unknown path
  await raw.GET('/nope', {});
  // @ts-expect-error the path has no DELETE
  await raw.DELETE('/mtls/account/{accountId}/mappings', { params: { path } });
  // @ts-expect-error the accountId path parameter is missing
  await raw.GET('/mtls/account/{accountId}/certificates', { params: { path: {} } });
  // @ts-expect-error the required header LP-forward-url is missing
  await raw.GET('/mtls/account/{accountId}', { params: { path, header: {} } });
  const unknownService = { 'LP-forward-url': url, 'LP-service-name': 'X' } as const;
  // @ts-expect-error LP-service-name only takes the documented services
  await raw.GET('/mtls/account/{accountId}', { params: { path, header: unknownService } });
  // @ts-expect-error the certificates body is an array of uploads
  await raw.POST('/mtls/account/{accountId}/certificates', { params: { path }, body: { name: 'c' } });

  // Correct calls compile, and their data is typed from the spec.
  const { data } = await raw.GET('/mtls/account/{accountId}/certificates', { params: { path } });
  const list: Certificate[] | undefined = data;
  await raw.GET('/mtls/account/{accountId}', { params: { path, header: { 'LP-forward-url': url } } });
  void list;
}

export async function resourcesAreTypedBySpec(client: MtlsGatewayClient): Promise<void> {
  // @ts-expect-error name is a string
  await client.certificates.create([{ name: 1 }]);
  // @ts-expect-error p12 and password are required
  await client.certificates.create({ name: 'Cert1' });
  // @ts-expect-error p12 is bytes, a Blob, a base64 string or byte values
  await client.certificates.create({ name: 'Cert1', p12: { bytes: 1 }, password: '' });
  // @ts-expect-error serviceName only takes the documented services
  await client.mappings.activate(1, { serviceName: 'NOPE', url });
  // @ts-expect-error url is required
  await client.mappings.check([{ serviceName: 'IDP' }]);
  // @ts-expect-error TRACE is not a forwarding method
  await client.forward({ method: 'TRACE', url });
  // @ts-expect-error a path string is not a file in the main entry
  await client.certificates.createFromFile({ file: './client.p12', name: 'Cert1', password: '' });
  // @ts-expect-error the p12 test needs the password
  await client.testP12({ file: new Uint8Array(), url });

  const certificate: Certificate = await client.certificates.get(1);
  // @ts-expect-error ids are numbers
  const id: string = certificate.id;
  const mapping: Mapping = await client.mappings.activate('1', { serviceName: 'WEBHOOKS', url });
  const response: Response = await client.forward({ method: 'PATCH', url, body: new Uint8Array([1]) });
  void [id, mapping, response];
}

export function forwardMethodsComeFromTheSpec(): void {
  const methods: ForwardMethod[] = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD'];
  // @ts-expect-error OPTIONS is not forwarded
  const options: ForwardMethod = 'OPTIONS';
  void [methods, options];
}

export function clientsNeedAnAccountForResources(): void {
  const unscoped = createMtlsGatewayClient({ baseUrl: 'https://gateway.example' });
  // @ts-expect-error without accountId, resources need forAccount()
  void unscoped.certificates;
  void unscoped.forAccount(accountId).certificates;

  const scoped = createMtlsGatewayClient({ baseUrl: 'https://gateway.example', accountId });
  void scoped.certificates;

  // @ts-expect-error discovery needs the account id
  createMtlsGatewayClient({ discover: true });
  // @ts-expect-error discovery and baseUrl exclude each other
  createMtlsGatewayClient({ discover: true, accountId, baseUrl: 'https://gateway.example' });
  // @ts-expect-error auth is OAuth 1.0a or Bearer
  createMtlsGatewayClient({ baseUrl: 'https://gateway.example', auth: { basic: 'x' } });
}

export async function perCallOptionsAreTyped(client: MtlsGatewayClient): Promise<void> {
  const options = { timeoutMs: 5_000, maxRetries: 0, headers: { 'X-Correlation-Id': 'job-42' } };
  await client.certificates.list({ ...options, includeDeleted: true });
  await client.mappings.check([{ serviceName: 'IDP', url }], options);
  await client.forward({ method: 'GET', url, ...options });
  await client.testP12({ file: new Uint8Array(), password: '', url, ...options });

  // @ts-expect-error the option is timeoutMs
  await client.certificates.list({ timeout: 5_000 });
  // @ts-expect-error maxRetries is a number
  await client.mappings.list({ maxRetries: '2' });
  // @ts-expect-error the client's auth sets Authorization
  await client.certificates.get(1, { headers: { Authorization: 'Bearer other' } });
  // @ts-expect-error in either spelling
  await client.mappings.delete(1, { headers: { authorization: 'Bearer other' } });
  // @ts-expect-error header values are strings
  await client.certificates.delete(1, { headers: { 'X-Retry': 2 } });
}

export async function withResponseGivesDataResponseAndRequestId(client: MtlsGatewayClient): Promise<void> {
  const { data, response, requestId } = await client.certificates.list().withResponse();
  const list: Certificate[] = data;
  const status: number = response.status;
  const id: string | undefined = requestId;
  // @ts-expect-error an answer may lack X-Request-Id
  const sure: string = requestId;
  const forwarded = await client.forward({ method: 'GET', url }).withResponse();
  const remote: Response = forwarded.data;
  // Still a Promise of the data.
  const promise: Promise<Mapping[]> = client.mappings.list();

  // @ts-expect-error withResponse() is a Promise: await it first
  void client.certificates.list().withResponse().requestId;
  // @ts-expect-error the awaited data has no withResponse()
  await (await client.certificates.list()).withResponse();
  const chained = client.certificates.list().then((certificates) => certificates);
  // @ts-expect-error what .then() gives is a plain Promise
  await chained.withResponse();
  void [list, status, id, sure, remote, promise];
}

export function hooksAreTyped(): void {
  const baseUrl = 'https://gateway.example';
  createMtlsGatewayClient({
    baseUrl,
    hooks: {
      onRequest: (request, info) => {
        request.headers.set('traceparent', `${info.operation}-${info.attempt}`);
      },
      onResponse: (response, info) => console.log(response.status, info.url),
      onError: (error, info) => console.error(error, info.operation, info.attempt),
    },
  });
  createMtlsGatewayClient({ baseUrl, hooks: { onRequest: async (request) => new Request(request) } });

  // @ts-expect-error the body belongs to the call: onResponse cannot read it
  createMtlsGatewayClient({ baseUrl, hooks: { onResponse: (response) => response.json() } });
  // @ts-expect-error onRequest returns a Request (or nothing)
  createMtlsGatewayClient({ baseUrl, hooks: { onRequest: () => 'x' } });
  // @ts-expect-error there is no onRetry hook (the logger reports retries)
  createMtlsGatewayClient({ baseUrl, hooks: { onRetry: () => {} } });
  createMtlsGatewayClient({
    baseUrl,
    // @ts-expect-error onError may get errors that are not the SDK's: narrow before reading code
    hooks: { onError: (error) => console.log(error.code) },
  });
}
