/**
 * `mtls p12 …`: look inside a PKCS#12 file locally (`inspect`, nothing sent), or have the gateway call an
 * endpoint with it (`test`, nothing stored).
 */
import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { P12TestMethod } from '@mtls-gateway/sdk';
import { P12Error, type ParsedP12, parseP12 } from '@mtls-gateway/sdk/p12';
import { booleanOption, type CommandSpec, type GroupSpec, stringOption } from '../command.js';
import { CliFailure, ConfigError, ExitCode, UsageError } from '../errors.js';
import { renderKeyValues } from '../output.js';
import { readBodyArgument } from './forward.js';
import {
  answerAsJson,
  answerHead,
  daysLeft,
  PASSWORD_OPTIONS,
  passwordFor,
  readInputFile,
  relativeDays,
  streamBody,
} from './shared.js';

/** What `p12 inspect` reports; never the private key. */
export interface P12Report {
  file: string;
  subject: string;
  issuer: string;
  serialNumber: string;
  notBefore: string;
  notAfter: string;
  daysLeft: number;
  validity: ParsedP12['validity'];
  keyAlgorithm: ParsedP12['keyAlgorithm'];
  /** Bits of an RSA key. */
  keySize: number | undefined;
  /** Curve of an EC key (`P-256`, …). */
  curve: string | undefined;
  fingerprintSha256: string;
  friendlyName: string | undefined;
  chain: { subject: string; issuer: string; notAfter: string }[];
}

const CURVE_NAMES: Record<string, string> = {
  prime256v1: 'P-256',
  secp384r1: 'P-384',
  secp521r1: 'P-521',
};

/**
 * The report of a parsed file: the SDK's fields plus the key size, read from the certificate's public key.
 *
 * @example
 * ```ts
 * const report = p12Report('client.p12', parseP12(bytes, password), new Date());
 * ```
 */
export function p12Report(file: string, parsed: ParsedP12, now: Date): P12Report {
  const details = new X509Certificate(parsed.certificatePem).publicKey.asymmetricKeyDetails ?? {};
  const curve = details.namedCurve;
  return {
    file,
    subject: parsed.subject,
    issuer: parsed.issuer,
    serialNumber: parsed.serialNumber,
    notBefore: parsed.notBefore.toISOString(),
    notAfter: parsed.notAfter.toISOString(),
    daysLeft: daysLeft(parsed.notAfter, now),
    validity: parsed.validity,
    keyAlgorithm: parsed.keyAlgorithm,
    keySize: details.modulusLength,
    curve: curve === undefined ? undefined : (CURVE_NAMES[curve] ?? curve),
    fingerprintSha256: parsed.fingerprintSha256,
    friendlyName: parsed.friendlyName,
    chain: parsed.chainPem.map((pem) => {
      const certificate = new X509Certificate(pem);
      return {
        subject: commaSeparated(certificate.subject),
        issuer: commaSeparated(certificate.issuer),
        notAfter: new Date(certificate.validTo).toISOString(),
      };
    }),
  };
}

// node:crypto prints one attribute per line, most general first; RFC 4514 (as the SDK prints) is the reverse.
function commaSeparated(name: string): string {
  return name.split('\n').filter(Boolean).reverse().join(',');
}

const inspect: CommandSpec = {
  path: ['p12', 'inspect'],
  summary: 'show what a PKCS#12 file holds (locally: nothing is sent)',
  usage: 'mtls p12 inspect <file.p12> [--password-file <path> | --password-stdin] [--json]',
  description:
    'Opens the file the way the gateway does (same checks, same p12_* codes on failure) and shows its\n' +
    'certificate: subject, issuer, validity, key, fingerprint and chain. The private key is never shown.\n' +
    'Needs no gateway configuration.',
  positionals: { min: 1, max: 1, names: '<file.p12>' },
  options: { ...PASSWORD_OPTIONS },
  examples: ['mtls p12 inspect client.p12', 'mtls p12 inspect client.p12 --password-file client.pass --json'],
  usesGateway: false,
  async run(context) {
    const [file = ''] = context.positionals;
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await readFile(file));
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      throw new ConfigError(`cannot read ${file} (${typeof code === 'string' ? code : 'error'})`);
    }
    const password = await passwordFor(context, file);
    let parsed: ParsedP12;
    try {
      parsed = parseP12(bytes, password, { now: context.now() });
    } catch (error) {
      if (error instanceof P12Error) {
        throw new CliFailure(
          `cannot open ${file}: ${error.message} (${error.code})`,
          ExitCode.Gateway,
          error.code,
        );
      }
      throw error;
    }
    const report = p12Report(file, parsed, context.now());
    const { output } = context;
    if (output.json) return void output.printJson(report);
    const validityColor = report.validity === 'valid' ? 'green' : 'red';
    const key =
      report.keySize !== undefined
        ? `${report.keyAlgorithm} ${report.keySize} bits`
        : report.curve !== undefined
          ? `${report.keyAlgorithm} ${report.curve}`
          : report.keyAlgorithm;
    output.print(
      renderKeyValues(
        [
          ['File', file],
          ['Subject', report.subject],
          ['Issuer', report.issuer],
          ['Serial', report.serialNumber],
          ['Not before', report.notBefore],
          ['Not after', `${report.notAfter} (${relativeDays(report.daysLeft)})`],
          ['Validity', { text: report.validity.replaceAll('_', ' '), color: validityColor }],
          ['Key', key],
          ['SHA-256', report.fingerprintSha256],
          ['Friendly name', report.friendlyName],
          ['Chain', report.chain.length === 0 ? 'none' : `${report.chain.length} certificate(s)`],
        ],
        output.colors,
      ),
    );
    report.chain.forEach((certificate, index) => {
      output.print(
        `  ${index + 1}. ${certificate.subject} ${output.colors.dim(`(until ${certificate.notAfter.slice(0, 10)})`)}\n`,
      );
    });
    return undefined;
  },
};

const TEST_METHODS: ReadonlySet<string> = new Set<P12TestMethod>([
  'GET',
  'POST',
  'PUT',
  'PATCH',
  'DELETE',
  'HEAD',
  'OPTIONS',
]);

const test: CommandSpec = {
  path: ['p12', 'test'],
  summary: 'have the gateway call a URL with a PKCS#12 file (nothing is stored)',
  usage:
    'mtls p12 test <file.p12> --url <url> [--method <method>] [--data <text>|@<file>] [--content-type <type>] [--password-file <path> | --password-stdin] [--fail] [--json]',
  description:
    "Sends the file to the gateway's p12 test, which calls the URL presenting the file's certificate, and\n" +
    "prints the remote's answer: status line, headers, a blank line and the body. Errors of the gateway\n" +
    '(wrong password, unreachable URL: 424 transport_failure) exit 1; the remote answer exits 0 whatever its\n' +
    'status, unless --fail is given (then 4 for a status of 400 or more).',
  positionals: { min: 1, max: 1, names: '<file.p12>' },
  options: {
    url: { type: 'string', value: '<url>', description: 'the URL to call (required)' },
    method: {
      type: 'string',
      value: '<method>',
      description: 'GET, POST (the default), PUT, PATCH, DELETE, HEAD, OPTIONS',
    },
    data: {
      type: 'string',
      short: 'd',
      value: '<text>|@<file>',
      description: 'the body to send (@- reads stdin)',
    },
    'content-type': { type: 'string', value: '<type>', description: 'Content-Type of that body' },
    ...PASSWORD_OPTIONS,
    fail: { type: 'boolean', short: 'f', description: 'exit 4 when the remote answers 400 or more' },
  },
  examples: [
    'mtls p12 test client.p12 --url https://api.example.com/ping --method GET --password-file client.pass',
  ],
  usesGateway: true,
  async run(context) {
    const [file = ''] = context.positionals;
    const url = stringOption(context.values, 'url');
    if (url === undefined || url === '') throw new UsageError('missing --url <url>', context.command);
    const method = stringOption(context.values, 'method')?.toUpperCase();
    if (method !== undefined && !TEST_METHODS.has(method)) {
      throw new UsageError(
        `unknown --method "${method}" (one of ${[...TEST_METHODS].join(', ')})`,
        context.command,
      );
    }
    const data = stringOption(context.values, 'data');
    const contentType = stringOption(context.values, 'content-type');
    if (data?.startsWith('@-') && booleanOption(context.values, 'password-stdin')) {
      throw new UsageError('stdin cannot carry both the password and the body', context.command);
    }
    const p12 = await readInputFile(file);
    const client = context.gateway();
    const password = await passwordFor(context, file);
    const body = data === undefined ? undefined : await readBodyArgument(data, context.io);
    const response = await client.testP12({
      file: p12,
      password,
      url,
      ...(method === undefined ? {} : { method: method as P12TestMethod }),
      ...(body === undefined ? {} : { body }),
      ...(contentType === undefined ? {} : { contentType }),
    });
    const { output } = context;
    if (output.json) output.printJson(await answerAsJson(response));
    else {
      output.print(`${answerHead(response, output.colors)}\n\n`);
      await streamBody(response, output);
    }
    if (booleanOption(context.values, 'fail') && response.status >= 400) {
      throw new CliFailure(`the remote answered ${response.status}`, ExitCode.RemoteError, 'remote_error');
    }
    return undefined;
  },
};

/** `mtls p12`. */
export const p12Group: GroupSpec = {
  name: 'p12',
  summary: 'PKCS#12 files: inspect locally, test against a URL',
  commands: [inspect, test],
};
