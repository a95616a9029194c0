// The spec covers every endpoint of DESIGN.md §1–2 with the documented statuses, security and problem answers.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';

type Operation = {
  operationId?: string;
  summary?: string;
  description?: string;
  security?: Array<Record<string, string[]>>;
  responses: Record<string, { $ref?: string }>;
  'x-extension'?: boolean;
};
const spec = parse(readFileSync(new URL('../../openapi/mtls.yaml', import.meta.url), 'utf8'));
const operation = (method: string, path: string): Operation | undefined => spec.paths[path]?.[method];

const account = '/mtls/account/{accountId}';
const READ = 'MTLS_READ_INTERNAL';
const WRITE = 'MTLS_WRITE_INTERNAL';
// [method, path, operationId, permission (undefined = public), statuses that must be documented]
const expected: Array<[string, string, string, string | undefined, string[]]> = [
  ['get', account, 'forwardGet', READ, ['200', '400', '401', '403', '424', '429', '500', 'default']],
  [
    'post',
    account,
    'forwardPost',
    WRITE,
    ['200', '201', '400', '401', '403', '413', '424', '429', '500', 'default'],
  ],
  ['put', account, 'forwardPut', WRITE, ['201', '401', '403', '424', '500', 'default']],
  ['delete', account, 'forwardDelete', WRITE, ['201', '401', '403', '424', '500', 'default']],
  ['patch', account, 'forwardPatch', WRITE, ['401', '403', '424', 'default']],
  ['head', account, 'forwardHead', READ, ['401', '403', '424', 'default']],
  [
    'post',
    `${account}/p12-test/multipart`,
    'testP12',
    READ,
    ['200', '201', '400', '401', '403', '424', '500'],
  ],
  ['get', `${account}/certificates`, 'listCertificates', READ, ['200', '401', '403', '500']],
  [
    'post',
    `${account}/certificates`,
    'createCertificates',
    WRITE,
    ['201', '400', '401', '403', '409', '500'],
  ],
  ['put', `${account}/certificates`, 'updateCertificates', WRITE, ['200', '400', '401', '403', '404', '409']],
  [
    'get',
    `${account}/certificates/{certificateId}`,
    'getCertificate',
    READ,
    ['200', '401', '403', '404', '500'],
  ],
  [
    'put',
    `${account}/certificates/{certificateId}`,
    'updateCertificate',
    WRITE,
    ['200', '400', '404', '409'],
  ],
  [
    'delete',
    `${account}/certificates/{certificateId}`,
    'deleteCertificate',
    WRITE,
    ['200', '401', '403', '404'],
  ],
  [
    'post',
    `${account}/certificates/byFile`,
    'createCertificateFromFile',
    WRITE,
    ['201', '400', '409', '413'],
  ],
  ['put', `${account}/certificates/byFile`, 'updateCertificateFromFile', WRITE, ['200', '400', '404', '409']],
  ['post', `${account}/certificates/by-file`, 'createCertificateFromFileAlias', WRITE, ['201', '400', '409']],
  ['put', `${account}/certificates/by-file`, 'updateCertificateFromFileAlias', WRITE, ['200', '400', '404']],
  [
    'post',
    `${account}/certificates/activate/{certificateId}`,
    'activateMapping',
    WRITE,
    ['201', '404', '409', '424'],
  ],
  ['get', `${account}/mappings`, 'listMappings', READ, ['200', '401', '403']],
  ['delete', `${account}/mappings/{mappingId}`, 'deleteMapping', WRITE, ['200', '401', '403', '404']],
  [
    'post',
    '/api/account/{accountId}/checks/serviceUrlMappings',
    'checkMappings',
    READ,
    ['200', '400', '401', '403'],
  ],
  ['get', '/healthz', 'getHealth', undefined, ['200']],
  // On the API port they need a credential; the operator listener (not in the spec) serves them without.
  ['get', '/readyz', 'getReadiness', READ, ['200', '503']],
  ['get', '/metrics', 'getMetrics', READ, ['200']],
  ['get', '/docs', 'getApiReference', undefined, ['200']],
  ['get', '/openapi.yaml', 'getOpenApiDocument', undefined, ['200']],
];

describe('every documented endpoint has its operation', () => {
  test.each(expected)('%s %s is %s', (method, path, operationId, permission, statuses) => {
    const op = operation(method, path);
    expect(op, `${method.toUpperCase()} ${path} is missing`).toBeDefined();
    expect(op?.operationId).toBe(operationId);
    expect(op?.summary).toBeTruthy();
    expect(op?.description).toBeTruthy();
    expect(Object.keys(op?.responses ?? {})).toEqual(expect.arrayContaining(statuses));
    if (permission === undefined) {
      expect(op?.security).toEqual([]);
    } else {
      expect(op?.security).toEqual([{ OAuth1: [permission] }, { BearerAuth: [permission] }]);
      // Every protected operation documents the gateway's own 401 and 429 answers.
      expect(Object.keys(op?.responses ?? {})).toEqual(expect.arrayContaining(['401', '403', '429']));
    }
  });

  test('the spec has no operation beyond the list (a new one must be added to it deliberately)', () => {
    const methods = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'];
    const actual = Object.entries(spec.paths as Record<string, Record<string, Operation>>).flatMap(
      ([path, item]) => methods.filter((method) => item[method]).map((method) => `${method} ${path}`),
    );
    expect(actual.sort()).toEqual(expected.map(([method, path]) => `${method} ${path}`).sort());
  });

  test('the extensions beyond the documentation are marked x-extension', () => {
    const extensions = expected.filter(([method, path]) => operation(method, path)?.['x-extension']);
    expect(extensions.map(([, , id]) => id).sort()).toEqual(
      [
        'deleteMapping',
        'forwardHead',
        'forwardPatch',
        'getApiReference',
        'getHealth',
        'getMetrics',
        'getOpenApiDocument',
        'getReadiness',
        'listMappings',
      ].sort(),
    );
  });
});

describe('answers of the gateway itself', () => {
  const responses = spec.components.responses as Record<
    string,
    { headers?: Record<string, unknown>; content?: Record<string, unknown> }
  >;
  const problemResponses = Object.entries(responses).filter(
    ([, r]) => r.content?.['application/problem+json'],
  );

  test('are problem+json and carry LP-gateway-error', () => {
    expect(problemResponses.length).toBeGreaterThanOrEqual(12);
    for (const [name, response] of problemResponses) {
      // Where the remote's own answer shares the status (`*/*` beside the problem), the header cannot be
      // required: the passthrough variant says it is there exactly when the gateway answered itself.
      const header = response.content?.['*/*'] ? 'PassthroughLpGatewayError' : 'LpGatewayError';
      expect(response.headers?.['LP-gateway-error'], name).toEqual({
        $ref: `#/components/headers/${header}`,
      });
    }
  });

  test('424 names the transport error, 429 says when to retry, 401 says how to authenticate', () => {
    for (const prefix of ['', 'Passthrough']) {
      expect(Object.keys(responses[`${prefix}TransportFailure`]?.headers ?? {})).toEqual(
        expect.arrayContaining(['LP-message-from-transport', 'LP-error-from-transport']),
      );
      expect(Object.keys(responses[`${prefix}TooManyRequests`]?.headers ?? {})).toContain('Retry-After');
      expect(Object.keys(responses[`${prefix}Unauthorized`]?.headers ?? {})).toContain('WWW-Authenticate');
    }
  });

  test('forwarding and the p12 test document the remote’s own answer under every status the gateway shares', () => {
    const headers = spec.components.headers as Record<
      string,
      { required?: boolean; 'x-required-on-gateway-answer'?: boolean }
    >;
    const passthroughOperations = Object.values(spec.paths as Record<string, Record<string, Operation>>)
      .flatMap((item) => Object.values(item))
      .filter((candidate) => candidate?.responses?.default !== undefined);
    expect(passthroughOperations.map((candidate) => candidate.operationId).sort()).toEqual(
      [
        'forwardDelete',
        'forwardGet',
        'forwardHead',
        'forwardPatch',
        'forwardPost',
        'forwardPut',
        'testP12',
      ].sort(),
    );
    for (const passthrough of passthroughOperations) {
      for (const [status, reference] of Object.entries(passthrough.responses)) {
        if (status === 'default' || status.startsWith('2')) continue;
        const name = String(reference.$ref).split('/').pop() as string;
        const response = responses[name];
        const label = `${passthrough.operationId} ${status} (${name})`;
        // Any answer of the remote, and the gateway's problem (`*/*` first: see the spec's comment).
        expect(Object.keys(response?.content ?? {}), label).toEqual(['*/*', 'application/problem+json']);
        // No header may be required (the remote's answer has none of the gateway's); the gateway's own are
        // marked as present on its answers.
        for (const [headerName, headerReference] of Object.entries(response?.headers ?? {})) {
          const header =
            headers[
              String((headerReference as { $ref: string }).$ref)
                .split('/')
                .pop() as string
            ];
          expect(header?.required, `${label} ${headerName}`).not.toBe(true);
          if (headerName !== 'X-Request-Id') {
            expect(header?.['x-required-on-gateway-answer'], `${label} ${headerName}`).toBe(true);
          }
        }
      }
    }
  });

  test('the save result keeps the wire spelling of the original', () => {
    expect(Object.keys(spec.components.schemas.CertificateSaveResult.properties)).toEqual([
      'successfulySavedCertificates',
      'failedSaveToVaultCertificates',
    ]);
  });
});
