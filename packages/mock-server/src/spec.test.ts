import * as contract from '@mtls-gateway/contract/spec';
import { describe, expect, test } from 'vitest';
import { OPERATION_IDS, openApiDocument, resolvePointer, specOperation, specOperations } from './spec.js';

// The index itself is tested in the contract package (packages/contract/src/spec.test.ts).
describe('the bundled spec', () => {
  test('is the contract document and operation index, nothing of the mock own', () => {
    expect(openApiDocument).toBe(contract.openApiDocument);
    expect([specOperation, specOperations, resolvePointer]).toEqual([
      contract.specOperation,
      contract.specOperations,
      contract.resolvePointer,
    ]);
  });

  test('OPERATION_IDS lists every operation of the document, in order', () => {
    expect(specOperations().map((operation) => operation.operationId)).toEqual([...OPERATION_IDS]);
  });

  test('an unknown operation is an error', () => {
    expect(() => specOperation('nope' as never)).toThrow(/no operation nope/);
  });
});
