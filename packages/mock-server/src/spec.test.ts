import { describe, expect, test } from 'vitest';
import { OPERATION_IDS, openApiDocument, specOperation, specOperations } from './spec.js';

describe('the bundled spec', () => {
  test('OPERATION_IDS lists every operation of the document, in order', () => {
    expect(specOperations().map((operation) => operation.operationId)).toEqual([...OPERATION_IDS]);
  });

  test('operations are indexed with resolved parameters, bodies, responses and security', () => {
    const forward = specOperation('forwardGet');
    expect(forward).toMatchObject({ method: 'GET', path: '/mtls/account/{accountId}', secured: true });
    expect(forward.parameters.map((parameter) => [parameter.in, parameter.name, parameter.required])).toEqual(
      [
        ['path', 'accountId', true],
        ['header', 'LP-forward-url', true],
        ['header', 'LP-service-name', false],
        ['header', 'LP-authorization-override', false],
        ['header', 'LP-stop-if-certificate-not-found', false],
      ],
    );
    expect(specOperation('getHealth').secured).toBe(false);
    expect(specOperation('createCertificateFromFile').requestBody).toEqual({
      required: true,
      content: {
        'multipart/form-data':
          '#/components/requestBodies/CertificateFileUpload/content/multipart~1form-data/schema',
      },
    });
    const unauthorized = specOperation('listCertificates').responses.find(
      (response) => response.status === '401',
    );
    expect(unauthorized?.requiredHeaders).toEqual(['LP-gateway-error', 'WWW-Authenticate']);
    expect(Object.keys(unauthorized?.content ?? {})).toEqual(['application/problem+json']);
  });

  test('an unknown operation is an error', () => {
    expect(() => specOperation('nope' as never)).toThrow(/no operation nope/);
    expect(openApiDocument.openapi).toMatch(/^3\.1/);
  });
});
