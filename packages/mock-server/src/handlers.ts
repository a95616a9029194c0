/**
 * MSW handlers for every operation of the spec, typed with openapi-msw against the generated `paths`: a path,
 * parameter or response body that the spec no longer has breaks the typecheck here.
 */
import { isValidMappingUrl } from '@mtls-gateway/contract';
import { type HttpHandler, http as mswHttp, passthrough } from 'msw';
import { createOpenApiHttp } from 'openapi-msw';
import type { components, paths, ServiceName } from './api-types.js';
import { type OperationSelection, selectOperations } from './operation-selection.js';
import { type CertificateDetails, type OpenFilesOptions, openUploadedFiles } from './p12-upload.js';
import { invalidRequest, MockProblem, transportFailure } from './problems.js';
import {
  type DecodedBody,
  type FormFile,
  markPassthrough,
  type OperationCall,
  type ResolverInfo,
  routeNotFound,
  serveOperation,
} from './request-pipeline.js';
import { type OperationId, openApiDocument, specOperation, specOperations } from './spec.js';
import type { MockState } from './state.js';
import type { StoredCertificate } from './store.js';
import {
  buildUpstreamRequest,
  type PresentedCertificate,
  passthroughResponse,
  type UpstreamContext,
} from './upstream.js';

type Schemas = components['schemas'];

/**
 * Options of {@link createMockHandlers}.
 *
 * @example
 * ```ts
 * const options: MockHandlerOptions = {
 *   baseUrl: 'https://mtls-gateway.example.com',
 *   operations: ['listCertificates', 'createCertificates'], // the rest goes to the real gateway
 * };
 * ```
 */
export interface MockHandlerOptions {
  /**
   * Origin (and optional path prefix) the handlers answer on. Default `*`: any origin, so the SDK can point at
   * any gateway URL. Set it when the app under test also calls other services on `/healthz` or `/docs`.
   */
  baseUrl?: string;
  /**
   * Passthrough mode: the operations the mock answers (default: every one). The others — and unknown paths
   * under `/mtls/` and `/api/`, which the mock would answer 404 — are passed through to the network, to the
   * real gateway at the request's URL, whatever MSW's `onUnhandledRequest` says. Requests to other paths still
   * follow `onUnhandledRequest`. Give the operationIds to mock, or `{ except: [...] }` the ones not to mock.
   */
  operations?: OperationSelection;
}

function certificateIdOf(value: unknown): number {
  return Number(value);
}

function presented(record: StoredCertificate): PresentedCertificate {
  return {
    id: record.id,
    name: record.name,
    subject: record.subject ?? `CN=${record.name}`,
    issuer: record.issuer ?? null,
    serialNumber: record.serialNumber ?? null,
    fingerprintSha256: record.fingerprintSha256 ?? null,
    expirationDate: record.notAfter?.toISOString() ?? null,
    certificatePem: record.certificatePem ?? null,
  };
}

function formOf(body: DecodedBody | undefined): {
  values: Record<string, unknown>;
  files: Record<string, FormFile>;
} {
  if (body?.kind !== 'form') throw invalidRequest([{ location: 'body', name: '', message: 'is required' }]);
  return body;
}

/** The `file` part; the schema requires it, so it is there once validation passed. */
function fileOf(form: { files: Record<string, FormFile> }): Uint8Array {
  const file = form.files.file;
  if (!file) throw invalidRequest([{ location: 'body', name: '/file', message: 'is required' }]);
  return file.bytes;
}

/**
 * Name, password (and id) of a file upload: the JSON `certificate` part when sent, else the plain fields.
 */
function fileMetadata(
  values: Record<string, unknown>,
  needsId: boolean,
): { id: number | undefined; name: string | undefined; password: string } {
  const part = values.certificate as
    | (Partial<Schemas['CertificateFileReplacementMetadata']> & { name?: string })
    | undefined;
  const name = part ? part.name : (values.name as string | undefined);
  const password = part ? part.password : (values.password as string | undefined);
  const id = part ? part.id : values.id === undefined ? undefined : Number(values.id);
  const errors: Array<{ location: 'body'; name: string; message: string }> = [];
  const where = part ? '/certificate/' : '/';
  if (needsId && id === undefined)
    errors.push({ location: 'body', name: `${where}id`, message: 'is required' });
  if (!needsId && name === undefined) {
    errors.push({ location: 'body', name: `${where}name`, message: 'is required' });
  }
  if (password === undefined)
    errors.push({ location: 'body', name: `${where}password`, message: 'is required' });
  if (errors.length > 0) throw invalidRequest(errors);
  return { id, name, password: password ?? '' };
}

/** A mapping URL must be valid by the contract's rule ({@link isValidMappingUrl}). */
function assertMappingUrl(url: string): void {
  if (!isValidMappingUrl(url)) {
    throw new MockProblem(
      'invalid_request',
      'The mapping url must be a complete http or https URL (query included); only a trailing * is allowed, to match every URL that starts with the part before it.',
      { errors: [{ location: 'body', name: '/url', message: 'must be an absolute http or https URL' }] },
    );
  }
}

/** MSW's path for an OpenAPI path template under `baseUrl` (as openapi-msw writes it). */
function mswPath(baseUrl: string, template: string): string {
  return `${baseUrl}${template.replace(/\{([^}]+)\}/g, ':$1')}`;
}

/** A handler that sends the requests of `operationId` on to the network, untouched. */
function passthroughHandler(baseUrl: string, operationId: OperationId): HttpHandler {
  const { method, path } = specOperation(operationId);
  const route = method.toLowerCase() as 'get' | 'post' | 'put' | 'delete' | 'patch' | 'head' | 'options';
  return mswHttp[route](mswPath(baseUrl, path), () => passthrough());
}

/**
 * Creates the MSW handlers of every operation, backed by `state`. Unknown paths under `/mtls/` and `/api/`
 * get the gateway's 404 `route_not_found` (or 405 for a known path with another method). With
 * `options.operations`, only the chosen operations are mocked and the others pass through to the network.
 *
 * @throws {TypeError} for an operationId the spec does not have in `options.operations`.
 * @example
 * ```ts
 * import { setupServer } from 'msw/node';
 * import { createMockHandlers, createMockState } from '@mtls-gateway/mock-server';
 *
 * const state = createMockState();
 * const server = setupServer(...createMockHandlers(state));
 * // Mock the certificate list and uploads only; everything else reaches the real gateway.
 * const partial = setupServer(...createMockHandlers(state, { operations: ['listCertificates', 'createCertificates'] }));
 * ```
 */
export function createMockHandlers(state: MockState, options: MockHandlerOptions = {}): HttpHandler[] {
  const baseUrl = options.baseUrl ?? '*';
  const mocked = selectOperations(options.operations);
  const http = createOpenApiHttp<paths>({ baseUrl });
  const now = () => state.now();
  const serve = <Answer extends Response>(
    operationId: OperationId,
    info: ResolverInfo<Answer>,
    logic: (call: OperationCall) => Promise<Response>,
  ) => serveOperation(state, operationId, info, logic);

  /** Calls the upstream; a thrown error is the remote being unreachable (424). */
  async function callUpstream(request: Request, context: UpstreamContext): Promise<Response> {
    let response: Response;
    try {
      response = await state.upstream(request, context);
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      throw transportFailure(
        error instanceof Error ? error.message : String(error),
        typeof code === 'string' ? code : error instanceof Error ? error.name : 'UNKNOWN',
      );
    }
    if (!(response instanceof Response)) {
      throw new MockProblem('internal_error', 'The mock upstream did not return a Response.');
    }
    return markPassthrough(passthroughResponse(response, request.method));
  }

  async function forward(
    operationId: OperationId,
    call: OperationCall,
    accountId: string,
  ): Promise<Response> {
    const targetUrl = String(call.header['LP-forward-url']);
    const serviceName = call.header['LP-service-name'] as ServiceName | undefined;
    const resolved = state.store.resolveMapping(accountId, serviceName, targetUrl);
    if (!resolved?.certificate && call.header['LP-stop-if-certificate-not-found'] === true) {
      throw new MockProblem(
        'certificate_not_found',
        `No certificate is mapped to account ${accountId}${serviceName ? `, service ${serviceName}` : ''} and this URL; nothing was sent.`,
      );
    }
    const outgoing = buildUpstreamRequest(call.request.headers, {
      url: targetUrl,
      method: call.request.method,
      body: call.body?.kind === 'raw' ? call.body.bytes : undefined,
      authorization: call.header['LP-authorization-override'] as string | undefined,
      copyHeaders: true,
    });
    return callUpstream(outgoing, {
      certificate: resolved?.certificate ? presented(resolved.certificate) : undefined,
      operationId,
      accountId,
      serviceName,
    });
  }

  function saveResult(records: StoredCertificate[]): Schemas['CertificateSaveResult'] {
    return {
      successfulySavedCertificates: records.map((record) => state.store.toCertificate(record)),
      failedSaveToVaultCertificates: [],
    };
  }

  /** How the files of one request are checked and named in a 400 (as the reference server names them). */
  function fileOptions(
    call: OperationCall,
    pointer: OpenFilesOptions['pointer'],
    describeItem: OpenFilesOptions['describeItem'],
  ): OpenFilesOptions {
    return { allowExpired: call.query.allowExpired === true, now: now(), pointer, describeItem };
  }

  function createFromFile(call: OperationCall, accountId: string): StoredCertificate[] {
    const form = formOf(call.body);
    const { name = '', password } = fileMetadata(form.values, false);
    const [details] = openUploadedFiles(
      [{ p12: fileOf(form), password }],
      fileOptions(
        call,
        () => 'file',
        () => `The file of "${name}"`,
      ),
    );
    return state.store.createCertificates(accountId, details ? [{ name, details }] : []);
  }

  function updateFromFile(call: OperationCall, accountId: string): StoredCertificate[] {
    const form = formOf(call.body);
    const { id = 0, name, password } = fileMetadata(form.values, true);
    const [details] = openUploadedFiles(
      [{ p12: fileOf(form), password }],
      fileOptions(
        call,
        () => 'file',
        () => `The file of certificate ${id}`,
      ),
    );
    return state.store.updateCertificates(accountId, details ? [{ id, name, details }] : []);
  }

  const forwardingPath = '/mtls/account/{accountId}';
  // One handler per operationId (a missing one does not compile), in the order MSW tries them.
  const byOperation = {
    // Forwarding: the remote's answer, as-is.
    forwardGet: http.get(forwardingPath, (info) =>
      serve('forwardGet', info, (call) => forward('forwardGet', call, info.params.accountId)),
    ),
    forwardPost: http.post(forwardingPath, (info) =>
      serve('forwardPost', info, (call) => forward('forwardPost', call, info.params.accountId)),
    ),
    forwardPut: http.put(forwardingPath, (info) =>
      serve('forwardPut', info, (call) => forward('forwardPut', call, info.params.accountId)),
    ),
    forwardDelete: http.delete(forwardingPath, (info) =>
      serve('forwardDelete', info, (call) => forward('forwardDelete', call, info.params.accountId)),
    ),
    forwardPatch: http.patch(forwardingPath, (info) =>
      serve('forwardPatch', info, (call) => forward('forwardPatch', call, info.params.accountId)),
    ),
    forwardHead: http.head(forwardingPath, (info) =>
      serve('forwardHead', info, (call) => forward('forwardHead', call, info.params.accountId)),
    ),

    testP12: http.post('/mtls/account/{accountId}/p12-test/multipart', (info) =>
      serve('testP12', info, async (call) => {
        const form = formOf(call.body);
        const password = String(form.values.password ?? '');
        // Validated like an upload, expiry included (there is no allowExpired here).
        const [details] = openUploadedFiles([{ p12: fileOf(form), password }], {
          allowExpired: false,
          now: now(),
          pointer: () => 'file',
          describeItem: () => 'The file',
        });
        if (!details) throw new MockProblem('internal_error', 'The file was not opened.');
        const method = (call.header['LP-method-override'] as string | undefined) ?? 'POST';
        const bodyPart = form.files.body;
        const outgoing = buildUpstreamRequest(call.request.headers, {
          url: String(call.header['LP-forward-url']),
          method,
          body: bodyPart?.bytes,
          authorization: call.header['LP-authorization-override'] as string | undefined,
          contentType:
            (call.header['LP-content-type-override'] as string | undefined) ?? (bodyPart?.type || undefined),
          copyHeaders: false,
        });
        return callUpstream(outgoing, {
          certificate: {
            id: null,
            name: null,
            subject: details.subject,
            issuer: details.issuer,
            serialNumber: details.serialNumber,
            fingerprintSha256: details.fingerprintSha256,
            expirationDate: details.notAfter.toISOString(),
            certificatePem: details.certificatePem,
          },
          operationId: 'testP12',
          accountId: info.params.accountId,
          serviceName: undefined,
        });
      }),
    ),

    // Certificates. The static `byFile` / `by-file` routes come before `{certificateId}`, which would match them.
    createCertificateFromFile: http.post('/mtls/account/{accountId}/certificates/byFile', (info) =>
      serve('createCertificateFromFile', info, async (call) =>
        info.response(201).json(saveResult(createFromFile(call, info.params.accountId))),
      ),
    ),
    updateCertificateFromFile: http.put('/mtls/account/{accountId}/certificates/byFile', (info) =>
      serve('updateCertificateFromFile', info, async (call) =>
        info.response(200).json(saveResult(updateFromFile(call, info.params.accountId))),
      ),
    ),
    createCertificateFromFileAlias: http.post('/mtls/account/{accountId}/certificates/by-file', (info) =>
      serve('createCertificateFromFileAlias', info, async (call) =>
        info.response(201).json(saveResult(createFromFile(call, info.params.accountId))),
      ),
    ),
    updateCertificateFromFileAlias: http.put('/mtls/account/{accountId}/certificates/by-file', (info) =>
      serve('updateCertificateFromFileAlias', info, async (call) =>
        info.response(200).json(saveResult(updateFromFile(call, info.params.accountId))),
      ),
    ),
    listCertificates: http.get('/mtls/account/{accountId}/certificates', (info) =>
      serve('listCertificates', info, async (call) =>
        info.response(200).json(
          state.listCertificates(info.params.accountId, {
            includeDeleted: call.query.includeDeleted === true,
          }),
        ),
      ),
    ),
    createCertificates: http.post('/mtls/account/{accountId}/certificates', (info) =>
      serve('createCertificates', info, async (call) => {
        const uploads = await info.request.json();
        const opened = openUploadedFiles(
          uploads,
          fileOptions(
            call,
            (index) => `/${index}/p12`,
            (index) => `Item ${index}`,
          ),
        );
        const files = uploads.map((upload, index) => ({
          name: upload.name,
          details: opened[index] as CertificateDetails,
        }));
        return info
          .response(201)
          .json(saveResult(state.store.createCertificates(info.params.accountId, files)));
      }),
    ),
    updateCertificates: http.put('/mtls/account/{accountId}/certificates', (info) =>
      serve('updateCertificates', info, async (call) => {
        const updates = await info.request.json();
        const accountId = info.params.accountId;
        const opened = openUploadedFiles(
          updates,
          fileOptions(
            call,
            (index) => `/${index}/p12`,
            (index) => `Item ${index}`,
          ),
        );
        const files = updates.map((update, index) => ({
          id: update.id,
          name: update.name,
          details: opened[index] as CertificateDetails,
        }));
        return info.response(200).json(saveResult(state.store.updateCertificates(accountId, files)));
      }),
    ),
    getCertificate: http.get('/mtls/account/{accountId}/certificates/{certificateId}', (info) =>
      serve('getCertificate', info, async () => {
        const { accountId, certificateId } = info.params;
        const record = state.store.certificate(accountId, certificateIdOf(certificateId));
        if (!record) {
          throw new MockProblem(
            'not_found',
            `Certificate ${certificateId} does not exist in account ${accountId}.`,
          );
        }
        return info.response(200).json(state.store.toCertificate(record));
      }),
    ),
    updateCertificate: http.put('/mtls/account/{accountId}/certificates/{certificateId}', (info) =>
      serve('updateCertificate', info, async (call) => {
        const { accountId } = info.params;
        const id = certificateIdOf(info.params.certificateId);
        const replacement = await info.request.json();
        if (replacement.id !== undefined && replacement.id !== id) {
          throw new MockProblem(
            'invalid_request',
            `The body names certificate ${replacement.id} but the path names ${id}. Leave id out or make them equal.`,
            {
              errors: [
                { location: 'body', name: '/id', message: 'must equal the certificateId of the path' },
              ],
            },
          );
        }
        const [details] = openUploadedFiles(
          [replacement],
          fileOptions(
            call,
            () => '/p12',
            () => `The file of certificate ${id}`,
          ),
        );
        if (!details) throw new MockProblem('internal_error', 'The file was not opened.');
        const saved = state.store.updateCertificates(accountId, [{ id, name: replacement.name, details }]);
        return info.response(200).json(saveResult(saved));
      }),
    ),
    deleteCertificate: http.delete('/mtls/account/{accountId}/certificates/{certificateId}', (info) =>
      serve('deleteCertificate', info, async () => {
        const { accountId, certificateId } = info.params;
        const record = state.store.deleteCertificate(accountId, certificateIdOf(certificateId));
        return info.response(200).json(state.store.toCertificate(record));
      }),
    ),

    // Mappings.
    activateMapping: http.post('/mtls/account/{accountId}/certificates/activate/{certificateId}', (info) =>
      serve('activateMapping', info, async (call) => {
        const { accountId } = info.params;
        const certificateId = certificateIdOf(info.params.certificateId);
        const target = await info.request.json();
        assertMappingUrl(target.url);
        const record = state.store.certificate(accountId, certificateId);
        if (!record || record.deleted) {
          throw new MockProblem(
            'not_found',
            `Certificate ${certificateId} does not exist in account ${accountId}.`,
          );
        }
        if (call.query.isValidateUrlEnabled === true) {
          if (state.store.statusOf(record) !== 'Available') {
            throw transportFailure(
              `Certificate ${certificateId} is not Available (expired, not yet valid or its key is missing), so no test call was made. Upload a valid file first.`,
              'CERTIFICATE_UNAVAILABLE',
            );
          }
          // A real test call with the certificate (for a prefix, the URL before the `*`); only an
          // unreachable remote fails the activation.
          const probe = buildUpstreamRequest(new Headers(), {
            url: target.url.endsWith('*') ? target.url.slice(0, -1) : target.url,
            method: 'GET',
            body: undefined,
            authorization: undefined,
            copyHeaders: false,
          });
          await callUpstream(probe, {
            certificate: presented(record),
            operationId: 'activateMapping',
            accountId,
            serviceName: target.serviceName,
          });
        }
        const mapping = state.store.activateMapping(accountId, certificateId, target);
        return info.response(201).json(state.store.toMapping(mapping));
      }),
    ),
    listMappings: http.get('/mtls/account/{accountId}/mappings', (info) =>
      serve('listMappings', info, async () =>
        info.response(200).json(state.listMappings(info.params.accountId)),
      ),
    ),
    deleteMapping: http.delete('/mtls/account/{accountId}/mappings/{mappingId}', (info) =>
      serve('deleteMapping', info, async () => {
        const { accountId, mappingId } = info.params;
        const mapping = state.store.deleteMapping(accountId, Number(mappingId));
        return info.response(200).json(state.store.toMapping(mapping));
      }),
    ),
    checkMappings: http.post('/api/account/{accountId}/checks/serviceUrlMappings', (info) =>
      serve('checkMappings', info, async () => {
        const targets = await info.request.json();
        const { accountId } = info.params;
        return info.response(200).json(
          targets.map((target) => ({
            serviceName: target.serviceName,
            url: target.url,
            exist: state.store.resolveMapping(accountId, target.serviceName, target.url) !== undefined,
          })),
        );
      }),
    ),

    // Operations.
    getHealth: http.get('/healthz', (info) =>
      serve('getHealth', info, async () => info.response(200).json({ status: 'ok' })),
    ),
    getReadiness: http.get('/readyz', (info) =>
      serve('getReadiness', info, async () =>
        info.response(200).json({ status: 'ok', checks: { database: 'ok', secretStore: 'ok' } }),
      ),
    ),
    getMetrics: http.get('/metrics', (info) =>
      serve('getMetrics', info, async () =>
        info.response(200).text(metricsText(state), {
          headers: { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' },
        }),
      ),
    ),
    getApiReference: http.get('/docs', (info) =>
      serve('getApiReference', info, async () =>
        info.response(200).text(API_REFERENCE_PAGE, {
          headers: {
            'Content-Type': 'text/html; charset=utf-8',
            'Content-Security-Policy': "default-src 'none'",
          },
        }),
      ),
    ),
    getOpenApiDocument: http.get('/openapi.yaml', (info) =>
      serve(
        'getOpenApiDocument',
        info,
        async () =>
          // JSON is YAML (1.2): the bundled document is served as it is.
          new Response(JSON.stringify(openApiDocument, null, 2), {
            headers: { 'Content-Type': 'application/yaml; charset=utf-8' },
          }),
      ),
    ),
  } satisfies Record<OperationId, HttpHandler>;

  // Passthrough mode: the operations not mocked go on to the real gateway, each in its place in the order (a
  // passed-through `PUT …/byFile` must not reach the mocked `PUT …/{certificateId}`).
  const handlers = (Object.entries(byOperation) as Array<[OperationId, HttpHandler]>).map(
    ([operationId, handler]) =>
      mocked.has(operationId) ? handler : passthroughHandler(baseUrl, operationId),
  );
  if (mocked.size < Object.keys(byOperation).length) {
    // Paths the mock does not know are the real gateway's to answer too.
    return [
      ...handlers,
      ...['/mtls/*', '/api/*'].map((prefix) => mswHttp.all(`${baseUrl}${prefix}`, () => passthrough())),
    ];
  }

  // Everything else under the API's prefixes: the gateway's own 404 / 405, not MSW's "unhandled request".
  const templates = specOperations().map((operation) => ({
    method: operation.method,
    pattern: new RegExp(`^${operation.path.replace(/\{[^}]+\}/g, '[^/]+')}/?$`),
  }));
  const notFound = (request: Request) => {
    const { pathname } = new URL(request.url);
    const allowed = [
      ...new Set(
        templates.filter((template) => template.pattern.test(pathname)).map((template) => template.method),
      ),
    ];
    return routeNotFound(state, request, allowed);
  };
  const catchAll = ['/mtls/*', '/api/*'].map((prefix) =>
    http.untyped.all(`${baseUrl}${prefix}`, ({ request }) => notFound(request)),
  );
  return [...handlers, ...catchAll];
}

/**
 * The mock's `/metrics`: the real server's `mtls_certificates{status}` gauge, nothing else. Hand-written:
 * prom-client is Node-only, and these handlers run in browsers too.
 */
function metricsText(state: MockState): string {
  const counts = { Available: 0, Expired: 0, UnAvailable: 0 };
  for (const record of state.store.all().certificates) {
    if (!record.deleted) counts[state.store.statusOf(record)] += 1;
  }
  const samples = Object.entries(counts).map(
    ([status, count]) => `mtls_certificates{status="${status}"} ${count}`,
  );
  return [
    '# HELP mtls_certificates Certificates by status.',
    '# TYPE mtls_certificates gauge',
    ...samples,
    '',
  ].join('\n');
}

/**
 * The mock's `/docs`: a pointer to the document, no renderer. Bundling one (megabytes of script) into handlers
 * that run in the app under test's browser is not worth it; the reference server's `/docs` renders the same
 * document.
 */
const API_REFERENCE_PAGE =
  '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>mTLS Gateway API (mock)</title></head>' +
  '<body><h1>mTLS Gateway API (mock)</h1><p>The OpenAPI document: <a href="openapi.yaml">openapi.yaml</a>. ' +
  'The reference server renders it at <code>/docs</code>.</p></body></html>\n';
