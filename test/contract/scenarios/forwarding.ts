/**
 * Forwarding: the gateway repeats the request against `LP-forward-url` and returns the remote answer as-is;
 * the mapped certificate is presented; its own answers (400, 424, 413) carry `LP-gateway-error`.
 * Assertions hold for any upstream speaking the contract protocol (the servers' HTTPS echo, the mocks' echo).
 */
import type { ForwardMethod } from '@mtls-gateway/sdk';
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
  uploadCertificate,
  upstreamUrl,
} from './helpers.js';

/** Every forwarded method but HEAD, which has scenarios of its own (its answers have no body). */
const METHODS: readonly ForwardMethod[] = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'];
const BODY_METHODS: ReadonlyArray<'POST' | 'PUT' | 'DELETE' | 'PATCH'> = ['POST', 'PUT', 'DELETE', 'PATCH'];

export const forwardingScenarios: ScenarioGroup = {
  name: 'forwarding',
  scenarios: [
    scenario(
      'every method but HEAD is forwarded and answers a documented success',
      ['forwarding', 'forwardTarget'],
      async (context) => {
        for (const method of METHODS) {
          const response = await context.client.forward({
            method,
            url: upstreamUrl(context, `/smoke/${method.toLowerCase()}`),
            ...(method === 'GET' ? {} : { body: 'contract', headers: { 'Content-Type': 'text/plain' } }),
          });
          expect(response.status, method).toBeGreaterThanOrEqual(200);
          expect(response.status, method).toBeLessThan(300);
          expect(response.headers.has('LP-gateway-error')).toBe(false);
          await response.arrayBuffer();
        }
      },
    ),

    scenario(
      'GET reaches the URL as-is, without the caller’s credential or LP-* headers',
      ['forwarding', 'upstream'],
      async (context) => {
        const { client, env } = context;
        const url = upstreamUrl(context, '/echo/get?tenant=42&q=a%20b');
        const response = await client.forward({
          method: 'GET',
          url,
          headers: { 'X-Contract-Probe': 'probe-1' },
        });
        expect(response.status).toBe(200);
        expect(response.headers.get(UPSTREAM_MARKER_HEADER)).toBe('echo');
        expect(response.headers.has('LP-gateway-error')).toBe(false);
        const echo = await echoOf(response);
        expect(echo).toMatchObject({ method: 'GET', url, body: null, certificate: null });
        expect(echo.headers['x-contract-probe']).toBe('probe-1');
        expect(echo.headers.authorization).toBeUndefined();
        expect(Object.keys(echo.headers).filter((name) => name.startsWith('lp-'))).toEqual([]);
        expect(JSON.stringify(echo)).not.toContain(env.token);
      },
    ),

    scenario(
      'POST, PUT, DELETE and PATCH carry their body, and the remote status comes back',
      ['forwarding', 'upstream'],
      async (context) => {
        for (const method of BODY_METHODS) {
          const url = upstreamUrl(context, `/echo/${method.toLowerCase()}?status=201`);
          const body = JSON.stringify({ event: 'conversation.closed', method });
          const response = await context.client.forward({
            method,
            url,
            headers: { 'Content-Type': 'application/json' },
            body,
          });
          expect(response.status, method).toBe(201);
          const echo = await echoOf(response);
          expect(echo).toMatchObject({ method, url, body });
          expect(echo.headers['content-type']).toMatch(/^application\/json/);
        }
      },
    ),

    scenario(
      'HEAD is forwarded and answers a documented success',
      ['forwarding', 'forwardTarget', 'head'],
      async (context) => {
        const response = await context.client.forward({
          method: 'HEAD',
          url: upstreamUrl(context, '/smoke/head'),
        });
        expect(response.status).toBeGreaterThanOrEqual(200);
        expect(response.status).toBeLessThan(300);
        expect(response.headers.has('LP-gateway-error')).toBe(false);
      },
    ),

    scenario(
      'HEAD: the gateway’s own answers carry their code in LP-gateway-error',
      ['forwarding', 'head', 'stateful', 'transportFailure'],
      async (context) => {
        const stopped = await expectProblem(
          context.client.forward({
            method: 'HEAD',
            url: neverCalledUrl(context, `/stop/head?x=${context.fixtures.uniqueName('n')}`),
            stopIfCertificateNotFound: true,
          }),
          400,
          'certificate_not_found',
        );
        expect(stopped.headers?.get('LP-gateway-error')).toBe('certificate_not_found');
        const down = await expectProblem(
          context.client.forward({ method: 'HEAD', url: neverCalledUrl(context, '/down/head') }),
          424,
          'transport_failure',
        );
        expect(down.headers?.get('LP-error-from-transport')).toBeTruthy();
      },
    ),

    scenario(
      'HEAD gets the remote status and headers, and no body',
      ['forwarding', 'upstream', 'head'],
      async (context) => {
        const response = await context.client.forward({
          method: 'HEAD',
          url: upstreamUrl(context, '/echo/head'),
        });
        expect(response.status).toBe(200);
        expect(response.headers.get(UPSTREAM_MARKER_HEADER)).toBe('echo');
        expect(await response.text()).toBe('');
      },
    ),

    scenario(
      'remote statuses the spec does not list come back as-is, without LP-gateway-error',
      ['forwarding', 'upstream'],
      async (context) => {
        for (const status of [404, 418]) {
          const url = upstreamUrl(context, `/echo/status?status=${status}`);
          const response = await context.client.forward({ method: 'GET', url });
          expect(response.status).toBe(status);
          expect(response.headers.has('LP-gateway-error')).toBe(false);
          expect(response.headers.get(UPSTREAM_MARKER_HEADER)).toBe('echo');
          expect((await echoOf(response)).url).toBe(url);
        }
      },
    ),

    scenario(
      'a remote status the gateway also answers itself (400, 401, 403, 413, 424, 429, 500, 502, 503) comes back as-is, told apart by LP-gateway-error',
      ['forwarding', 'upstream'],
      async (context) => {
        for (const status of [400, 401, 403, 413, 424, 429, 500, 502, 503]) {
          const url = upstreamUrl(context, `/echo/status?status=${status}`);
          const response = await context.client.forward({ method: 'POST', url, body: 'x' });
          expect(response.status).toBe(status);
          expect(response.headers.has('LP-gateway-error')).toBe(false);
          expect((await echoOf(response)).url).toBe(url);
        }
      },
    ),

    scenario(
      'LP-authorization-override is the Authorization the remote sees',
      ['forwarding', 'upstream'],
      async (context) => {
        const response = await context.client.forward({
          method: 'POST',
          url: upstreamUrl(context, '/echo/override'),
          authorizationOverride: 'Bearer remote-credential',
          body: 'x',
        });
        const echo = await echoOf(response);
        expect(echo.headers.authorization).toMatch(/^Bearer /);
        expect(echo.headers.authorization).not.toContain(context.env.token);
        expect(echo.headers['lp-authorization-override']).toBeUndefined();
      },
    ),

    scenario(
      'the mapped certificate is presented for its service + URL, and only there',
      ['forwarding', 'upstream', 'stateful'],
      async (context) => {
        const { client } = context;
        const { certificate, p12 } = await uploadCertificate(context, 'mtls');
        const url = upstreamUrl(context, `/mtls/${context.fixtures.uniqueName('hook')}?tenant=42`);
        const mapping = await client.mappings.activate(certificate.id, { serviceName: 'WEBHOOKS', url });
        context.defer(() => client.mappings.delete(mapping.id));

        const mapped = await echoOf(await client.forward({ method: 'GET', url, serviceName: 'WEBHOOKS' }));
        expect(mapped.certificate?.subject).toContain(`CN=${p12.commonName}`);
        const stopped = await echoOf(
          await client.forward({
            method: 'GET',
            url,
            serviceName: 'WEBHOOKS',
            stopIfCertificateNotFound: true,
          }),
        );
        expect(stopped.certificate?.subject).toContain(`CN=${p12.commonName}`);
        // The entire URL is checked: another query string is another URL.
        const otherUrl = await echoOf(
          await client.forward({ method: 'GET', url: `${url}&page=2`, serviceName: 'WEBHOOKS' }),
        );
        expect(otherUrl.certificate).toBeNull();
        const otherService = await echoOf(await client.forward({ method: 'GET', url, serviceName: 'IDP' }));
        expect(otherService.certificate).toBeNull();

        // From the answer to the delete on, the certificate is no longer presented for that URL.
        await client.mappings.delete(mapping.id);
        const unmapped = await echoOf(await client.forward({ method: 'GET', url, serviceName: 'WEBHOOKS' }));
        expect(unmapped.certificate, 'presented after its mapping was deleted').toBeNull();
      },
    ),

    scenario(
      'a deleted certificate is never presented again',
      ['forwarding', 'upstream', 'stateful'],
      async (context) => {
        const { client } = context;
        const { certificate, p12 } = await uploadCertificate(context, 'mtls-delete');
        const url = upstreamUrl(context, `/mtls/${context.fixtures.uniqueName('deleted')}`);
        await client.mappings.activate(certificate.id, { serviceName: 'IDP', url });
        const before = await echoOf(await client.forward({ method: 'GET', url, serviceName: 'IDP' }));
        expect(before.certificate?.subject).toContain(`CN=${p12.commonName}`);
        await client.certificates.delete(certificate.id);
        const after = await echoOf(await client.forward({ method: 'GET', url, serviceName: 'IDP' }));
        expect(after.certificate, 'presented after the certificate was deleted').toBeNull();
        await expectProblem(
          client.forward({ method: 'GET', url, serviceName: 'IDP', stopIfCertificateNotFound: true }),
          400,
          'certificate_not_found',
        );
      },
    ),

    scenario(
      'stop-if-certificate-not-found without a mapping is 400 certificate_not_found for every method but HEAD',
      ['forwarding', 'stateful'],
      async (context) => {
        for (const method of METHODS) {
          await expectProblem(
            context.client.forward({
              method,
              url: neverCalledUrl(
                context,
                `/stop/${method.toLowerCase()}?x=${context.fixtures.uniqueName('n')}`,
              ),
              serviceName: 'WEBHOOKS',
              stopIfCertificateNotFound: true,
              ...(method === 'GET' ? {} : { body: 'never sent' }),
            }),
            400,
            'certificate_not_found',
          );
        }
      },
    ),

    scenario(
      'an unreachable remote is 424 transport_failure with the transport headers, for every method but HEAD',
      ['forwarding', 'transportFailure'],
      async (context) => {
        for (const method of METHODS) {
          const error = await expectProblem(
            context.client.forward({
              method,
              url: neverCalledUrl(context, `/down/${method.toLowerCase()}`),
              ...(method === 'GET' ? {} : { body: 'lost' }),
            }),
            424,
            'transport_failure',
          );
          expect(error.headers?.get('LP-error-from-transport')).toMatch(/^[A-Za-z0-9_.:-]+$/);
          expect(error.headers?.get('LP-message-from-transport')).toBeTruthy();
        }
      },
    ),

    scenario(
      'a forward without LP-forward-url, or with a malformed one, is 400 invalid_request',
      ['forwarding', 'requestValidation'],
      async (context) => {
        await expectProblemResponse(
          await sendRaw(context, 'GET', accountPath(context)),
          400,
          'invalid_request',
        );
        await expectProblemResponse(
          await sendRaw(context, 'POST', accountPath(context), {
            headers: { 'LP-forward-url': 'ftp://files.contract.test/x' },
            body: 'x',
          }),
          400,
          'invalid_request',
        );
      },
    ),

    scenario(
      'a forwarded body over the limit is 413 payload_too_large',
      ['forwarding', 'payloadLimit', 'requestValidation'],
      async (context) => {
        const limit = context.env.limits?.bodyBytes ?? 0;
        const body = new Uint8Array(limit + 1).fill(120);
        for (const method of BODY_METHODS) {
          const response = await sendRaw(context, method, accountPath(context), {
            headers: {
              'LP-forward-url': neverCalledUrl(context, '/big'),
              'Content-Type': 'application/octet-stream',
            },
            body,
          });
          await expectProblemResponse(response, 413, 'payload_too_large');
        }
      },
    ),
  ],
};
