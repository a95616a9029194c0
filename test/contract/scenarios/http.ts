/**
 * Over real sockets: a GET with a body (which `fetch` cannot send) and what happens to the connection after
 * the gateway refuses a body as too large.
 */
import { expect } from 'vitest';
import { rawExchange } from '../support/raw-http.js';
import { type ScenarioContext, type ScenarioGroup, scenario } from '../support/scenario.js';
import { accountPath, echoOf, expectProblemResponse, neverCalledUrl, upstreamUrl } from './helpers.js';

function multipart(
  parts: Array<{ name: string; value: Uint8Array | string; type?: string; filename?: string }>,
) {
  const boundary = `contract${Date.now()}`;
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const disposition = `form-data; name="${part.name}"${part.filename ? `; filename="${part.filename}"` : ''}`;
    chunks.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: ${disposition}\r\n${part.type ? `Content-Type: ${part.type}\r\n` : ''}\r\n`,
      ),
      Buffer.from(part.value),
      Buffer.from('\r\n'),
    );
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return {
    body: new Uint8Array(Buffer.concat(chunks)),
    contentType: `multipart/form-data; boundary=${boundary}`,
  };
}

async function exchange(
  context: ScenarioContext,
  method: string,
  path: string,
  headers: Record<string, string>,
  body: Uint8Array,
) {
  const url = `${context.env.baseUrl}${path}`;
  const result = await rawExchange(url, {
    method,
    headers: { authorization: `Bearer ${context.env.token}`, ...headers },
    body,
  });
  await context.recorder.record(method, url, result.response.clone());
  return result;
}

export const httpScenarios: ScenarioGroup = {
  name: 'HTTP connections',
  scenarios: [
    scenario(
      'a GET carrying a body forwards it as-is; a GET or HEAD with one over the limit is 413',
      ['rawHttp', 'getBody', 'forwarding', 'upstream', 'payloadLimit'],
      async (context) => {
        const url = upstreamUrl(context, '/echo/get-with-body');
        const small = await exchange(
          context,
          'GET',
          accountPath(context),
          { 'lp-forward-url': url, 'content-type': 'text/plain' },
          new TextEncoder().encode('search terms'),
        );
        expect(small.response.status).toBe(200);
        expect(await echoOf(small.response)).toMatchObject({ method: 'GET', url, body: 'search terms' });

        const limit = context.env.limits?.bodyBytes ?? 0;
        const large = await exchange(
          context,
          'GET',
          accountPath(context),
          { 'lp-forward-url': url, 'content-type': 'application/octet-stream' },
          new Uint8Array(limit + 1),
        );
        await expectProblemResponse(large.response, 413, 'payload_too_large');
        const head = await exchange(
          context,
          'HEAD',
          accountPath(context),
          { 'lp-forward-url': url, 'content-type': 'application/octet-stream' },
          new Uint8Array(limit + 1),
        );
        await expectProblemResponse(head.response, 413, 'payload_too_large', { head: true });
      },
    ),

    scenario(
      'after refusing a body as too large, the gateway reads the rest or closes the connection',
      ['rawHttp', 'forwarding', 'payloadLimit', 'requestValidation'],
      async (context) => {
        const limit = context.env.limits?.bodyBytes ?? 0;
        const tooLarge = new Uint8Array(limit + 1);
        const p12Test = multipart([
          { name: 'file', value: tooLarge, type: 'application/x-pkcs12', filename: 'big.p12' },
          { name: 'password', value: 'x' },
        ]);
        const byFile = multipart([
          { name: 'file', value: tooLarge, type: 'application/x-pkcs12', filename: 'big.p12' },
          {
            name: 'certificate',
            value: '{"name":"big","password":"x"}',
            type: 'application/json',
            filename: 'c.json',
          },
        ]);
        const forwardHeaders = { 'lp-forward-url': neverCalledUrl(context, '/big') };
        const cases: Array<[string, string, string, Record<string, string>, Uint8Array]> = [
          [
            'forwardPost',
            'POST',
            accountPath(context),
            { ...forwardHeaders, 'content-type': 'application/octet-stream' },
            tooLarge,
          ],
          [
            'testP12',
            'POST',
            accountPath(context, '/p12-test/multipart'),
            { ...forwardHeaders, 'content-type': p12Test.contentType },
            p12Test.body,
          ],
          [
            'createCertificateFromFile',
            'POST',
            accountPath(context, '/certificates/byFile'),
            { 'content-type': byFile.contentType },
            byFile.body,
          ],
          [
            'createCertificates',
            'POST',
            accountPath(context, '/certificates'),
            { 'content-type': 'application/json' },
            tooLarge,
          ],
        ];
        const halfRead: string[] = [];
        for (const [operationId, method, path, headers, body] of cases) {
          const result = await exchange(context, method, path, headers, body);
          await expectProblemResponse(result.response, 413, 'payload_too_large');
          if (!result.uploadCompleted && !result.socketClosed) halfRead.push(operationId);
        }
        expect(
          halfRead,
          'answered 413 but neither read the rest of the body nor closed the connection',
        ).toEqual([]);
      },
    ),
  ],
};
