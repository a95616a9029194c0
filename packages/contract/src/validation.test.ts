import type { ErrorObject } from 'ajv';
import { describe, expect, test } from 'vitest';
import { specOperation } from './spec.js';
import {
  inputErrorsOf,
  invalidRequestDetail,
  SchemaValidators,
  SPEC_SCHEMA_ID,
  schemaValidators,
} from './validation.js';

const validators = schemaValidators();

describe('schema validators', () => {
  test('one shared instance per document; validators compiled once', () => {
    expect(schemaValidators()).toBe(validators);
    expect(validators.component('Health')).toBe(validators.at('#/components/schemas/Health'));
    expect(validators.component('Health', { allErrors: true })).not.toBe(validators.component('Health'));
    expect(validators.ajv()).toBe(validators.ajv({}));
    expect(validators.ajv().getSchema(SPEC_SCHEMA_ID)).toBeDefined();
  });

  test('compile the document own schemas, formats included', () => {
    expect(validators.component('Health')({ status: 'ok' })).toBe(true);
    expect(validators.component('Health')({ status: 'fine' })).toBe(false);
    const problem = validators.component('Problem');
    expect(validators.component('Timestamp')('2024-01-01T00:00:00Z')).toBe(true);
    expect(validators.component('Timestamp')('yesterday')).toBe(false);
    const valid = {
      type: 'x',
      title: 't',
      status: 400,
      detail: 'd',
      code: 'invalid_request',
      requestId: 'r',
    };
    expect(problem(valid)).toBe(true);
    expect(problem({ ...valid, status: '400' })).toBe(false);
  });

  test('a schema taken out of the document still resolves its references', () => {
    const validate = validators.of({ type: 'array', items: { $ref: '#/components/schemas/Health' } });
    expect(validate([{ status: 'ok' }])).toBe(true);
    expect(validate([{ status: 'no' }])).toBe(false);
    expect(validators.of({ type: 'array', items: { $ref: '#/components/schemas/Health' } })).toBe(validate);
  });

  test('another document gets validators of its own', () => {
    const other = new SchemaValidators({
      openapi: '3.1.0',
      paths: {},
      components: { schemas: { Small: { type: 'integer', maximum: 3 } } },
    });
    expect(other.component('Small')(2)).toBe(true);
    expect(other.component('Small')(4)).toBe(false);
  });
});

describe('parameters', () => {
  test('are coerced in place and every invalid one is listed by location and spec name', () => {
    const values = {
      path: { accountId: 'not valid!' },
      header: { 'LP-stop-if-certificate-not-found': 'maybe' },
    };
    expect(validators.validateParameters(specOperation('forwardGet'), values)).toEqual([
      { location: 'path', name: 'accountId', message: expect.stringMatching(/pattern/) },
      { location: 'header', name: 'LP-forward-url', message: 'is required' },
      { location: 'header', name: 'LP-stop-if-certificate-not-found', message: 'must be boolean' },
    ]);
    const query = { includeDeleted: 'true' };
    expect(
      validators.validateParameters(specOperation('listCertificates'), { path: { accountId: 'le1' }, query }),
    ).toEqual([]);
    expect(query).toEqual({ includeDeleted: true });
  });
});

describe('bodies', () => {
  test('stop at the first error; names are JSON pointers; enum failures list the allowed values', () => {
    const operation = specOperation('checkMappings');
    expect(validators.validateBody(operation, 'application/json', [{ serviceName: 'NOPE', url: 1 }])).toEqual(
      [
        {
          location: 'body',
          name: '/0/serviceName',
          message: expect.stringMatching(/^must be one of .*"WEBHOOKS"/),
        },
      ],
    );
    expect(
      validators.validateBody(operation, 'application/json', [{ url: 'https://a.example.com/' }]),
    ).toEqual([{ location: 'body', name: '/0/serviceName', message: 'is required' }]);
    expect(validators.validateBody(specOperation('forwardPost'), 'text/plain', 'anything')).toEqual([]);
  });

  test('an unknown property is named, or left to the schema message', () => {
    const operation = specOperation('activateMapping');
    const body = { serviceName: 'IDP', url: 'https://a.example.com/', x: 1 };
    expect(validators.validateBody(operation, 'application/json', body)).toEqual([
      { location: 'body', name: '/x', message: 'is not allowed' },
    ]);
    expect(
      validators.validateBody(operation, 'application/json', body, { unknownProperty: 'schema' }),
    ).toEqual([{ location: 'body', name: '', message: 'must NOT have additional properties' }]);
  });

  test('a oneOf form answers with the errors of the shape it is closest to', () => {
    const upload = (form: Record<string, unknown>) =>
      validators.validateBody(specOperation('createCertificateFromFile'), 'multipart/form-data', form);
    expect(upload({ file: '', certificate: { name: 'a', password: 'b' } })).toEqual([]);
    expect(upload({ file: '', name: 'a' })).toEqual([
      { location: 'body', name: '/password', message: 'is required' },
    ]);
    expect(upload({ file: '', certificate: { name: 'a' } })).toEqual([
      { location: 'body', name: '/certificate/password', message: 'is required' },
    ]);
  });
});

describe('input errors', () => {
  const error = (fields: Partial<ErrorObject>): ErrorObject =>
    ({ instancePath: '', schemaPath: '#', keyword: 'type', params: {}, ...fields }) as ErrorObject;

  test('a prefix goes before body names; duplicates are dropped', () => {
    const errors = [
      error({ keyword: 'required', params: { missingProperty: 'password' } }),
      error({
        keyword: 'maxLength',
        instancePath: '/name',
        message: 'must NOT have more than 128 characters',
      }),
      error({
        keyword: 'maxLength',
        instancePath: '/name',
        message: 'must NOT have more than 128 characters',
      }),
    ];
    expect(inputErrorsOf(errors, 'body', { namePrefix: 'certificate' })).toEqual([
      { location: 'body', name: 'certificate/password', message: 'is required' },
      { location: 'body', name: 'certificate/name', message: 'must NOT have more than 128 characters' },
    ]);
    expect(inputErrorsOf([error({ instancePath: '/a~1b', message: 'must be string' })], 'query')).toEqual([
      { location: 'query', name: 'a/b', message: 'must be string' },
    ]);
    expect(inputErrorsOf(null, 'body')).toEqual([]);
  });

  test('the problem detail names the first input and counts the rest', () => {
    expect(invalidRequestDetail([])).toBe('The request is invalid.');
    expect(
      invalidRequestDetail([{ location: 'header', name: 'LP-forward-url', message: 'is required' }]),
    ).toBe('The request header LP-forward-url is required.');
    expect(
      invalidRequestDetail([
        { location: 'body', name: '', message: 'is required' },
        { location: 'query', name: 'a', message: 'x' },
        { location: 'query', name: 'b', message: 'y' },
      ]),
    ).toBe('The request body is required. (2 more problems in errors)');
    expect(
      invalidRequestDetail([
        { location: 'body', name: '/0/url', message: 'must be string' },
        { location: 'path', name: 'a', message: 'b' },
      ]),
    ).toBe('The request body at /0/url must be string. (1 more problem in errors)');
  });
});
