/**
 * The p12 test: the file is checked like an upload, the URL is called with it (POST unless overridden) and
 * the remote answer comes back as-is; nothing is stored.
 */
import { expect } from 'vitest';
import { type ScenarioGroup, scenario } from '../support/scenario.js';
import { UPSTREAM_MARKER_HEADER } from '../support/upstream.js';
import {
  accountPath,
  echoOf,
  expectProblem,
  expectProblemResponse,
  neverCalledUrl,
  sendRaw,
  upstreamUrl,
} from './helpers.js';

export const p12TestScenarios: ScenarioGroup = {
  name: 'p12 test',
  scenarios: [
    scenario(
      'a PKCS#12 file is tested against the URL and answers a documented success',
      ['forwarding', 'forwardTarget', 'binaryMultipart'],
      async (context) => {
        const p12 = context.fixtures.p12();
        const response = await context.client.testP12({
          file: p12.bytes,
          password: p12.password,
          url: upstreamUrl(context, '/p12/smoke'),
        });
        expect(response.status).toBeGreaterThanOrEqual(200);
        expect(response.status).toBeLessThan(300);
        expect(response.headers.has('LP-gateway-error')).toBe(false);
        await response.arrayBuffer();
      },
    ),

    scenario(
      'the URL is called with the certificate, the body and the overrides; the answer comes back as-is',
      ['forwarding', 'upstream', 'stateful', 'binaryMultipart'],
      async (context) => {
        const { client, fixtures } = context;
        const p12 = fixtures.p12();
        const before = await client.certificates.list();

        const created = await client.testP12({
          file: p12.bytes,
          password: p12.password,
          url: upstreamUrl(context, '/p12/create?status=201'),
          body: '{"ping":true}',
          contentType: 'application/json',
          authorizationOverride: 'Bearer remote-credential',
        });
        expect(created.status).toBe(201);
        expect(created.headers.get(UPSTREAM_MARKER_HEADER)).toBe('echo');
        const echo = await echoOf(created);
        expect(echo).toMatchObject({ method: 'POST', body: '{"ping":true}' });
        expect(echo.headers['content-type']).toMatch(/^application\/json/);
        expect(echo.headers.authorization).toMatch(/^Bearer /);
        expect(echo.certificate?.subject).toContain(`CN=${p12.commonName}`);

        const put = await client.testP12({
          file: p12.bytes,
          password: p12.password,
          url: upstreamUrl(context, '/p12/put'),
          method: 'PUT',
          body: 'plain',
        });
        expect(put.status).toBe(200);
        expect(await echoOf(put)).toMatchObject({ method: 'PUT', body: 'plain' });

        const teapot = await client.testP12({
          file: p12.bytes,
          password: p12.password,
          url: upstreamUrl(context, '/p12/teapot?status=418'),
          method: 'GET',
        });
        expect(teapot.status).toBe(418);
        expect(teapot.headers.has('LP-gateway-error')).toBe(false);
        expect((await echoOf(teapot)).method).toBe('GET');

        // Nothing is stored.
        expect(await client.certificates.list()).toEqual(before);
      },
    ),

    scenario(
      'an unusable file is 400 with its p12 code, and nothing is called',
      ['forwarding', 'p12Validation', 'binaryMultipart'],
      async (context) => {
        const p12 = context.fixtures.p12();
        await expectProblem(
          context.client.testP12({
            file: p12.bytes,
            password: 'not-the-password',
            url: neverCalledUrl(context, '/p12/never'),
          }),
          400,
          'p12_wrong_password',
        );
        const expired = context.fixtures.p12({ validity: 'expired' });
        await expectProblem(
          context.client.testP12({
            file: expired.bytes,
            password: expired.password,
            url: neverCalledUrl(context, '/p12/never'),
          }),
          400,
          'p12_expired',
        );
      },
    ),

    scenario(
      'an unreachable URL is 424 transport_failure',
      ['forwarding', 'transportFailure', 'binaryMultipart'],
      async (context) => {
        const p12 = context.fixtures.p12();
        const error = await expectProblem(
          context.client.testP12({
            file: p12.bytes,
            password: p12.password,
            url: neverCalledUrl(context, '/p12'),
          }),
          424,
          'transport_failure',
        );
        expect(error.headers?.get('LP-error-from-transport')).toBeTruthy();
      },
    ),

    scenario(
      'a body that is not multipart is 415; a missing part is 400',
      ['forwarding', 'requestValidation'],
      async (context) => {
        const path = accountPath(context, '/p12-test/multipart');
        const headers = { 'LP-forward-url': neverCalledUrl(context, '/p12') };
        await expectProblemResponse(
          await sendRaw(context, 'POST', path, {
            headers: { ...headers, 'Content-Type': 'application/json' },
            body: JSON.stringify({ password: 'x' }),
          }),
          415,
          'unsupported_media_type',
        );
        const form = new FormData();
        form.append('password', 'x');
        await expectProblemResponse(
          await sendRaw(context, 'POST', path, { headers, body: form }),
          400,
          'invalid_request',
        );
      },
    ),

    scenario(
      'a p12 test over the size limit is 413',
      ['forwarding', 'payloadLimit', 'requestValidation'],
      async (context) => {
        const limit = context.env.limits?.bodyBytes ?? 0;
        const form = new FormData();
        form.append(
          'file',
          new Blob([new Uint8Array(limit + 1)], { type: 'application/x-pkcs12' }),
          'big.p12',
        );
        form.append('password', 'x');
        await expectProblemResponse(
          await sendRaw(context, 'POST', accountPath(context, '/p12-test/multipart'), {
            headers: { 'LP-forward-url': neverCalledUrl(context, '/p12') },
            body: form,
          }),
          413,
          'payload_too_large',
        );
      },
    ),
  ],
};
