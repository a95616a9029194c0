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
