/**
 * Pieces several commands share: argument checks, dates, status colours, password options, and how a
 * remote's answer (forward, p12 test) is shown.
 */
import type { Certificate, CertificateStatus, ServiceName } from '@mtls-gateway/sdk';
import { readFileInput } from '@mtls-gateway/sdk/node';
import { booleanOption, type CommandContext, type OptionSpecs, stringOption } from '../command.js';
import { ConfigError, UsageError } from '../errors.js';
import type { Cell, Output } from '../output.js';
import { resolvePassword } from '../prompt.js';

/** `--password-file` and `--password-stdin`, for every command that opens a p12 file. */
export const PASSWORD_OPTIONS: OptionSpecs = {
  'password-file': {
    type: 'string',
    value: '<path>',
    description: 'read the p12 password from this file (one trailing newline is ignored)',
  },
  'password-stdin': { type: 'boolean', description: 'read the p12 password from stdin' },
};

// A Record over the spec's union: adding a service to the spec fails the typecheck here until it is listed.
const SERVICES: Record<ServiceName, true> = { TEST_SERVICE: true, IDP: true, WEBHOOKS: true, FAAS: true };

/** The service names the gateway knows. */
export const SERVICE_NAMES = Object.keys(SERVICES) as ServiceName[];

/**
 * Checks a service name (`--service`) against the spec's list.
 *
 * @throws {UsageError} an unknown name.
 */
export function parseServiceName(value: string, command: readonly string[]): ServiceName {
  if (Object.hasOwn(SERVICES, value)) return value as ServiceName;
  throw new UsageError(`unknown service "${value}" (one of ${SERVICE_NAMES.join(', ')})`, command);
}

/**
 * Checks a certificate or mapping id: decimal digits only.
 *
 * @throws {UsageError} anything else.
 */
export function parseId(value: string | undefined, what: string, command: readonly string[]): string {
  if (value === undefined) throw new UsageError(`missing <${what}>`, command);
  if (!/^\d{1,19}$/.test(value)) throw new UsageError(`<${what}> must be a number, not "${value}"`, command);
  return value;
}

/**
 * Reads a file named on the command line as a `File` for an upload (through the SDK's `readFileInput`).
 *
 * @throws {ConfigError} the file cannot be read.
 */
export async function readInputFile(file: string): Promise<File> {
  try {
    return await readFileInput(file);
  } catch (error) {
    throw new ConfigError(error instanceof Error ? error.message : `cannot read ${file}`);
  }
}

const DAY_MS = 86_400_000;

/**
 * Whole days from `now` to `date` (negative once past).
 *
 * @example
 * ```ts
 * daysLeft(new Date('2030-01-11'), new Date('2030-01-01')); // 10
 * ```
 */
export function daysLeft(date: Date, now: Date): number {
  return Math.floor((date.getTime() - now.getTime()) / DAY_MS);
}

/** `2027-06-30` of an ISO timestamp, or `-`. */
export function shortDate(value: string | null | undefined): string {
  return value ? value.slice(0, 10) : '-';
}

/** `in 12 days`, `today`, `3 days ago`. */
export function relativeDays(days: number): string {
  if (days === 0) return 'today';
  const count = Math.abs(days);
  const unit = count === 1 ? 'day' : 'days';
  return days > 0 ? `in ${count} ${unit}` : `${count} ${unit} ago`;
}

/** A certificate status, coloured by what it means for forwarding. */
export function statusCell(status: CertificateStatus, deleted = false): Cell {
  if (deleted) return { text: `${status} (deleted)`, color: 'dim' };
  const color = status === 'Available' ? 'green' : status === 'Expired' ? 'red' : 'yellow';
  return { text: status, color };
}

/** The `label: value` pairs of one certificate, as `certs get` and the upload commands show it. */
export function certificatePairs(certificate: Certificate, now: Date): [string, Cell | undefined][] {
  const expires = certificate.expirationDate
    ? `${certificate.expirationDate} (${relativeDays(daysLeft(new Date(certificate.expirationDate), now))})`
    : undefined;
  return [
    ['ID', String(certificate.id)],
    ['Name', certificate.name],
    ['Status', statusCell(certificate.status, certificate.deleted)],
    ['Subject', certificate.subject],
    ['Issuer', certificate.issuer],
    ['Serial', certificate.serialNumber],
    ['Not before', certificate.notBefore ?? undefined],
    ['Not after', expires],
    ['SHA-256', certificate.fingerprintSha256],
    ['Version', certificate.version === undefined ? undefined : String(certificate.version)],
    ['Account', certificate.siteId],
  ];
}

/**
 * A remote's answer as JSON for `--json`: status, headers and the body as text (UTF-8) or base64.
 *
 * @example
 * ```ts
 * output.printJson(await answerAsJson(response));
 * ```
 */
export async function answerAsJson(response: Response): Promise<{
  status: number;
  statusText: string;
  headers: Record<string, string>;
  body: string;
  bodyEncoding: 'utf8' | 'base64';
}> {
  const bytes = new Uint8Array(await response.arrayBuffer());
  let body: string;
  let bodyEncoding: 'utf8' | 'base64' = 'utf8';
  try {
    body = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    body = Buffer.from(bytes).toString('base64');
    bodyEncoding = 'base64';
  }
  return {
    status: response.status,
    statusText: response.statusText,
    headers: Object.fromEntries(response.headers),
    body,
    bodyEncoding,
  };
}

/**
 * The status line and headers of a remote's answer, as text lines.
 *
 * @example
 * ```ts
 * output.note(answerHead(response, output.errorColors));
 * ```
 */
export function answerHead(response: Response, colors: Output['colors']): string {
  const statusColor =
    response.status >= 400 ? colors.red : response.status >= 300 ? colors.yellow : colors.green;
  const lines = [statusColor(`HTTP ${response.status} ${response.statusText}`.trimEnd())];
  for (const [name, value] of response.headers) lines.push(`${colors.cyan(name)}: ${value}`);
  return lines.join('\n');
}

/**
 * Streams a body to stdout unchanged.
 *
 * @example
 * ```ts
 * await streamBody(response, output);
 * ```
 */
export async function streamBody(response: Response, output: Output): Promise<void> {
  if (!response.body) return;
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>)
    await output.writeRaw(chunk);
}

/**
 * The p12 password of a command (`--password-file`, `--password-stdin` or the prompt), registered as a secret.
 *
 * @example
 * ```ts
 * const password = await passwordFor(context, 'client.p12');
 * ```
 */
export async function passwordFor(context: CommandContext, file: string): Promise<string> {
  const password = await resolvePassword(
    {
      passwordFile: stringOption(context.values, 'password-file'),
      passwordStdin: booleanOption(context.values, 'password-stdin'),
    },
    context.io,
    file,
    context.command,
  );
  context.output.addSecret(password);
  return password;
}
