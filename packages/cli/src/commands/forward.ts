/**
 * `mtls forward`: a curl-like call through the gateway, which presents the mapped certificate. The remote's
 * body goes to stdout byte for byte; its status and headers to stderr with `-i`.
 */
import { readFile } from 'node:fs/promises';
import type { ForwardMethod, ServiceName } from '@mtls-gateway/sdk';
import { booleanOption, type CommandSpec, stringListOption, stringOption } from '../command.js';
import { CliFailure, ConfigError, ExitCode, UsageError } from '../errors.js';
import type { CliIo } from '../io.js';
import { readAllStdin } from '../prompt.js';
import { answerAsJson, answerHead, parseServiceName, SERVICE_NAMES, streamBody } from './shared.js';

const FORWARD_METHODS: ReadonlySet<string> = new Set<ForwardMethod>([
  'GET',
  'POST',
  'PUT',
  'DELETE',
  'PATCH',
  'HEAD',
]);

/**
 * The body of `--data`: `@file` reads the file, `@-` stdin, anything else is the text itself.
 *
 * @throws {ConfigError} the file cannot be read.
 *
 * @example
 * ```ts
 * const body = await readBodyArgument('@event.json', io);
 * ```
 */
export async function readBodyArgument(data: string, io: Pick<CliIo, 'stdin'>): Promise<string | Uint8Array> {
  if (!data.startsWith('@')) return data;
  const file = data.slice(1);
  if (file === '-') return readAllStdin(io);
  try {
    return new Uint8Array(await readFile(file));
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw new ConfigError(`cannot read the body file ${file} (${typeof code === 'string' ? code : 'error'})`);
  }
}

/**
 * Parses `-H 'Name: value'` arguments.
 *
 * @throws {UsageError} a header without a name or colon.
 *
 * @example
 * ```ts
 * parseHeaders(['Content-Type: application/json'], ['forward']); // { 'Content-Type': 'application/json' }
 * ```
 */
export function parseHeaders(values: readonly string[], command: readonly string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const value of values) {
    const colon = value.indexOf(':');
    const name = colon > 0 ? value.slice(0, colon).trim() : '';
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) {
      // The value is not quoted back: a header line often carries a credential.
      throw new UsageError(
        `--header must look like 'Name: value' (header #${values.indexOf(value) + 1})`,
        command,
      );
    }
    const existing = headers[name];
    const headerValue = value.slice(colon + 1).trim();
    headers[name] = existing === undefined ? headerValue : `${existing}, ${headerValue}`;
  }
  return headers;
}

/** `mtls forward`. */
export const forwardCommand: CommandSpec = {
  path: ['forward'],
  summary:
    "call a URL through the gateway (the mapped certificate is presented); the remote's body to stdout",
  usage:
    "mtls forward <METHOD> <url> [--service <service>] [-H 'Name: value']... [-d <text>|@<file>] [--authorization <value>] [--stop-if-certificate-not-found] [-i] [--fail] [--json]",
  description:
    "Prints the remote's answer body to stdout unchanged (binary safe); with -i/--include, its status line and\n" +
    'headers go to stderr first, so stdout stays pipeable. The remote answer exits 0 whatever its status\n' +
    '(like curl); --fail makes a status of 400 or more exit 4. Errors of the gateway itself (no certificate with\n' +
    '--stop-if-certificate-not-found, blocked destination, unreachable remote: 424) exit 1.\n' +
    'Authorization cannot be passed with -H (it would carry the gateway credential): use --authorization.',
  positionals: { min: 2, max: 2, names: '<METHOD> <url>' },
  options: {
    service: {
      type: 'string',
      value: '<service>',
      description: `whose mapping applies: ${SERVICE_NAMES.join(', ')}`,
    },
    header: {
      type: 'string',
      short: 'H',
      multiple: true,
      value: "'Name: value'",
      description: 'a header for the remote (repeatable)',
    },
    data: {
      type: 'string',
      short: 'd',
      value: '<text>|@<file>',
      description: 'the body (@- reads stdin); not with GET/HEAD',
    },
    authorization: {
      type: 'string',
      value: '<value>',
      description: "the remote's Authorization header (sent as LP-authorization-override)",
    },
    'stop-if-certificate-not-found': {
      type: 'boolean',
      description: 'fail (400 certificate_not_found) instead of calling without a certificate',
    },
    include: { type: 'boolean', short: 'i', description: 'print the status line and headers to stderr' },
    fail: { type: 'boolean', short: 'f', description: 'exit 4 when the remote answers 400 or more' },
  },
  examples: [
    'mtls forward GET https://api.example.com/status --service WEBHOOKS -i',
    "mtls forward POST https://api.example.com/hooks --service WEBHOOKS -H 'Content-Type: application/json' -d @event.json",
    'mtls forward GET https://partner.example/report.pdf --stop-if-certificate-not-found > report.pdf',
  ],
  usesGateway: true,
  async run(context) {
    const { command, values, output } = context;
    const method = (context.positionals[0] ?? '').toUpperCase();
    if (!FORWARD_METHODS.has(method)) {
      throw new UsageError(
        `unknown method "${context.positionals[0]}" (one of ${[...FORWARD_METHODS].join(', ')})`,
        command,
      );
    }
    const url = context.positionals[1] ?? '';
    const service = stringOption(values, 'service');
    const serviceName: ServiceName | undefined =
      service === undefined ? undefined : parseServiceName(service, command);
    const headers = parseHeaders(stringListOption(values, 'header'), command);
    if (Object.keys(headers).some((name) => name.toLowerCase() === 'authorization')) {
      throw new UsageError(
        "use --authorization <value> for the remote's Authorization header, not -H",
        command,
      );
    }
    const data = stringOption(values, 'data');
    if (data !== undefined && (method === 'GET' || method === 'HEAD')) {
      throw new UsageError(`a ${method} request cannot carry --data; use POST, PUT or PATCH`, command);
    }
    const authorization = stringOption(values, 'authorization');
    output.addSecret(authorization);
    const client = context.gateway();
    const body = data === undefined ? undefined : await readBodyArgument(data, context.io);
    const response = await client.forward({
      method: method as ForwardMethod,
      url,
      headers,
      ...(serviceName === undefined ? {} : { serviceName }),
      ...(authorization === undefined ? {} : { authorizationOverride: authorization }),
      ...(booleanOption(values, 'stop-if-certificate-not-found') ? { stopIfCertificateNotFound: true } : {}),
      ...(body === undefined ? {} : { body }),
    });
    if (output.json) output.printJson(await answerAsJson(response));
    else {
      if (booleanOption(values, 'include')) output.note(`${answerHead(response, output.errorColors)}\n`);
      await streamBody(response, output);
    }
    if (booleanOption(values, 'fail') && response.status >= 400) {
      throw new CliFailure(`the remote answered ${response.status}`, ExitCode.RemoteError, 'remote_error');
    }
    return undefined;
  },
};
