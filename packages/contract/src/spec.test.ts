import { describe, expect, expectTypeOf, test } from 'vitest';
import type { operations } from './generated/openapi.js';
import {
  dereference,
  indexOperations,
  OPERATION_IDS,
  OpenApiDocumentError,
  type OperationId,
  openApiDocument,
  resolvePointer,
  specOperation,
  specOperations,
} from './spec.js';

describe('the operation index', () => {
  test('OPERATION_IDS is every operation of the document, in document order, and the generated type', () => {
    expect(specOperations().map((operation) => operation.operationId)).toEqual([...OPERATION_IDS]);
    expect(new Set(OPERATION_IDS).size).toBe(OPERATION_IDS.length);
    // Every generated operation is in the list, and nothing else is.
    const generated: Record<keyof operations, true> = Object.fromEntries(
      OPERATION_IDS.map((id) => [id, true]),
    ) as Record<keyof operations, true>;
    expect(Object.keys(generated).sort()).toEqual([...OPERATION_IDS].sort());
    expectTypeOf<OperationId>().toEqualTypeOf<keyof operations>();
  });

  test('parameters: path-level merged in, $refs resolved, schema pointers into the document', () => {
    const forward = specOperation('forwardGet');
    expect(forward).toMatchObject({ method: 'GET', path: '/mtls/account/{accountId}', secured: true });
    expect(
      forward.parameters.map((parameter) => `${parameter.in}:${parameter.name}:${parameter.required}`),
    ).toEqual([
      'path:accountId:true',
      'header:LP-forward-url:true',
      'header:LP-service-name:false',
      'header:LP-authorization-override:false',
      'header:LP-stop-if-certificate-not-found:false',
    ]);
    const [accountId] = forward.parameters;
    expect(accountId?.schemaPointer).toBe('#/components/parameters/AccountId/schema');
    expect(accountId?.schema).toEqual({ $ref: '#/components/schemas/AccountId' });
  });

  test('request bodies per media type, responses with headers, security', () => {
    expect(specOperation('createCertificateFromFile').requestBody).toEqual({
      required: true,
      mediaTypes: ['multipart/form-data'],
      content: {
        'multipart/form-data':
          '#/components/requestBodies/CertificateFileUpload/content/multipart~1form-data/schema',
      },
    });
    expect(specOperation('forwardPost').requestBody?.mediaTypes).toEqual(['*/*']);
    expect(specOperation('getCertificate').requestBody).toBeUndefined();

    const unauthorized = specOperation('listCertificates').responses.find(
      (response) => response.status === '401',
    );
    expect(unauthorized?.requiredHeaders).toEqual(['LP-gateway-error', 'WWW-Authenticate']);
    expect(unauthorized?.mediaTypes).toEqual(['application/problem+json']);
    expect(unauthorized?.headers.every((header) => header.schemaPointer?.startsWith('#/'))).toBe(true);

    expect(specOperation('getHealth')).toMatchObject({ secured: false, security: [] });
    expect(specOperation('deleteMapping').security).toEqual([
      { OAuth1: ['MTLS_WRITE_INTERNAL'] },
      { BearerAuth: ['MTLS_WRITE_INTERNAL'] },
    ]);
    expect(specOperation('listMappings').extension).toBe(true);
  });

  test('every schema pointer of the index resolves in the document', () => {
    for (const operation of specOperations()) {
      const pointers = [
        ...operation.parameters.map((parameter) => parameter.schemaPointer),
        ...Object.values(operation.requestBody?.content ?? {}),
        ...operation.responses.flatMap((response) => [
          ...Object.values(response.content),
          ...response.headers.map((header) => header.schemaPointer),
        ]),
      ];
      for (const pointer of pointers) {
        if (pointer !== undefined) expect(resolvePointer(pointer), pointer).toBeDefined();
      }
    }
  });

  test('an unknown operation, a dangling reference or a missing operationId is an OpenApiDocumentError', () => {
    expect(() => specOperation('nope' as OperationId)).toThrow(OpenApiDocumentError);
    expect(() => specOperation('nope' as OperationId)).toThrow(/no operation nope/);
    expect(() => dereference({ $ref: '#/components/schemas/Nope' })).toThrow(/Dangling reference/);
    expect(() => indexOperations({ paths: { '/x': { get: {} } } })).toThrow(/GET \/x has no operationId/);
    const error = new OpenApiDocumentError('x');
    expect([error.name, error.code]).toEqual(['OpenApiDocumentError', 'openapi_document_invalid']);
  });

  test('another document can be indexed; an operation parameter replaces a path-level one', () => {
    const operations = indexOperations({
      paths: {
        '/things/{id}': {
          parameters: [{ name: 'X-Trace', in: 'header', schema: { type: 'string' } }],
          post: {
            operationId: 'makeThing',
            parameters: [{ name: 'x-trace', in: 'header', required: true, schema: { type: 'string' } }],
            responses: { '204': { description: 'Done' } },
          },
        },
      },
      security: [{ Basic: [] }],
    });
    expect(operations.get('makeThing')).toMatchObject({
      method: 'POST',
      parameters: [{ name: 'x-trace', in: 'header', required: true }],
      security: [{ Basic: [] }],
      secured: true,
      responses: [{ status: '204', description: 'Done', mediaTypes: [], content: {}, headers: [] }],
    });
  });

  test('resolvePointer reads JSON pointers, escapes included', () => {
    expect(resolvePointer('#/openapi')).toBe(openApiDocument.openapi);
    expect(resolvePointer('#/paths/~1healthz/get/operationId')).toBe('getHealth');
    expect(resolvePointer('#/nope/deeper')).toBeUndefined();
  });
});
