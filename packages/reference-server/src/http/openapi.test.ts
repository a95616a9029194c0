import { describe, expect, it } from 'vitest';
import { GatewaySpec, OpenApiDocumentError } from './openapi.js';

const spec = GatewaySpec.load();

describe('GatewaySpec', () => {
  it('indexes every operation with its Fastify path', () => {
    expect(spec.operations.size).toBe(26);
    expect(spec.operation('getCertificate')).toMatchObject({
      method: 'GET',
      path: '/mtls/account/{accountId}/certificates/{certificateId}',
      routePath: '/mtls/account/:accountId/certificates/:certificateId',
    });
    expect(() => spec.operation('nope')).toThrow(OpenApiDocumentError);
  });

  it('merges path-level parameters into each operation, refs resolved', () => {
    const forward = spec.operation('forwardPost');
    expect(forward.parameters.map((p) => `${p.in}:${p.name}:${p.required}`)).toEqual([
      'path:accountId:true',
      'header:LP-forward-url:true',
      'header:LP-service-name:false',
      'header:LP-authorization-override:false',
      'header:LP-stop-if-certificate-not-found:false',
    ]);
    expect(forward.requestBody?.mediaTypes).toEqual(['*/*']);
    expect(spec.operation('checkMappings').requestBody).toMatchObject({
      required: true,
      mediaTypes: ['application/json'],
    });
  });

  it('reads security schemes and permissions from the document', () => {
    expect(Object.fromEntries(spec.schemeKinds)).toEqual({ OAuth1: 'oauth1', BearerAuth: 'bearer' });
    expect(spec.permissions).toEqual(['MTLS_READ_INTERNAL', 'MTLS_WRITE_INTERNAL']);
    expect(spec.operation('getHealth').security).toEqual([]);
    expect(spec.operation('deleteMapping').security).toEqual([
      { OAuth1: ['MTLS_WRITE_INTERNAL'] },
      { BearerAuth: ['MTLS_WRITE_INTERNAL'] },
    ]);
  });

  it('drops the generator banner from the served document', () => {
    expect(spec.document['x-generated']).toBeUndefined();
    expect(spec.document.openapi).toBe('3.1.0');
  });
});
