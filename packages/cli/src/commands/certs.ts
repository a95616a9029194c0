/**
 * `mtls certs …`: the account's client certificates (list, get, upload, replace, delete).
 */
import type { Certificate, CertificateSaveResult } from '@mtls-gateway/sdk';
import {
  booleanOption,
  type CommandContext,
  type CommandSpec,
  type GroupSpec,
  stringOption,
} from '../command.js';
import { CliFailure, ExitCode, UsageError } from '../errors.js';
import { renderKeyValues, renderTable } from '../output.js';
import { confirm } from '../prompt.js';
import {
  certificatePairs,
  daysLeft,
  PASSWORD_OPTIONS,
  parseId,
  passwordFor,
  readInputFile,
  relativeDays,
  shortDate,
  statusCell,
} from './shared.js';

const list: CommandSpec = {
  path: ['certs', 'list'],
  summary: 'list the certificates of the account',
  usage: 'mtls certs list [--deleted] [--json]',
  positionals: { min: 0, max: 0, names: '' },
  options: { deleted: { type: 'boolean', description: 'include soft-deleted certificates' } },
  examples: ['mtls certs list', 'mtls certs list --deleted --json'],
  usesGateway: true,
  async run(context) {
    const includeDeleted = booleanOption(context.values, 'deleted');
    const certificates = await context
      .gateway()
      .certificates.list(includeDeleted ? { includeDeleted: true } : {});
    const { output } = context;
    if (output.json) return void output.printJson(certificates);
    if (certificates.length === 0) return void output.print('No certificates.\n');
    const now = context.now();
    output.print(
      renderTable(
        [
          { header: 'ID', align: 'right' },
          { header: 'NAME' },
          { header: 'STATUS' },
          { header: 'EXPIRES' },
          { header: 'DAYS', align: 'right' },
          { header: 'SUBJECT' },
        ],
        certificates.map((certificate) => [
          String(certificate.id),
          certificate.name,
          statusCell(certificate.status, certificate.deleted),
          shortDate(certificate.expirationDate),
          certificate.expirationDate ? String(daysLeft(new Date(certificate.expirationDate), now)) : '-',
          certificate.subject ?? '',
        ]),
        output.colors,
      ),
    );
    return undefined;
  },
};

const get: CommandSpec = {
  path: ['certs', 'get'],
  summary: 'show one certificate',
  usage: 'mtls certs get <id> [--json]',
  positionals: { min: 1, max: 1, names: '<id>' },
  options: {},
  examples: ['mtls certs get 3515906310'],
  usesGateway: true,
  async run(context) {
    const id = parseId(context.positionals[0], 'id', context.command);
    const certificate = await context.gateway().certificates.get(id);
    printCertificate(context, certificate);
    return undefined;
  },
};

const upload: CommandSpec = {
  path: ['certs', 'upload'],
  summary: 'upload a PKCS#12 file as a new certificate',
  usage:
    'mtls certs upload <file.p12> --name <name> [--password-file <path> | --password-stdin] [--allow-expired] [--json]',
  description:
    'The password is read from --password-file, from stdin with --password-stdin, or asked for on the terminal\n' +
    '(never given on the command line). The gateway checks the file the same way `mtls p12 inspect` does.',
  positionals: { min: 1, max: 1, names: '<file.p12>' },
  options: {
    name: {
      type: 'string',
      value: '<name>',
      description: 'the certificate name, unique in the account (required)',
    },
    ...PASSWORD_OPTIONS,
    'allow-expired': {
      type: 'boolean',
      description:
        'accept a certificate that is expired or not yet valid (never presented outside its validity)',
    },
  },
  examples: [
    'mtls certs upload client.p12 --name Cert1 --password-file client.pass',
    'pass show mtls/client | mtls certs upload client.p12 --name Cert1 --password-stdin',
  ],
  usesGateway: true,
  async run(context) {
    const [file = ''] = context.positionals;
    const name = stringOption(context.values, 'name');
    if (name === undefined || name === '') throw new UsageError('missing --name <name>', context.command);
    const p12 = await readInputFile(file);
    const client = context.gateway();
    const password = await passwordFor(context, file);
    const result = await client.certificates.createFromFile(
      { file: p12, name, password },
      booleanOption(context.values, 'allow-expired') ? { allowExpired: true } : {},
    );
    return printSaveResult(context, result, 'Uploaded');
  },
};

const replace: CommandSpec = {
  path: ['certs', 'replace'],
  summary: 'replace the file (and optionally the name) of a certificate',
  usage:
    'mtls certs replace <id> <file.p12> [--name <name>] [--password-file <path> | --password-stdin] [--allow-expired] [--json]',
  description: 'The certificate keeps its id and mappings; its version goes up by one.',
  positionals: { min: 2, max: 2, names: '<id> <file.p12>' },
  options: {
    name: { type: 'string', value: '<name>', description: 'a new name' },
    ...PASSWORD_OPTIONS,
    'allow-expired': {
      type: 'boolean',
      description: 'accept a certificate that is expired or not yet valid',
    },
  },
  examples: ['mtls certs replace 3515906310 renewed.p12 --password-file renewed.pass'],
  usesGateway: true,
  async run(context) {
    const id = parseId(context.positionals[0], 'id', context.command);
    const file = context.positionals[1] ?? '';
    const name = stringOption(context.values, 'name');
    const p12 = await readInputFile(file);
    const client = context.gateway();
    const password = await passwordFor(context, file);
    const result = await client.certificates.updateFromFile(
      { id, file: p12, password, ...(name === undefined ? {} : { name }) },
      booleanOption(context.values, 'allow-expired') ? { allowExpired: true } : {},
    );
    return printSaveResult(context, result, 'Replaced');
  },
};

const remove: CommandSpec = {
  path: ['certs', 'delete'],
  summary: 'delete a certificate (soft delete: its key is removed, its mappings disabled)',
  usage: 'mtls certs delete <id> [--yes] [--json]',
  description:
    'Asks for confirmation on a terminal. Without a terminal (scripts, CI) --yes is required: nothing is\n' +
    'deleted without it.',
  positionals: { min: 1, max: 1, names: '<id>' },
  options: { yes: { type: 'boolean', short: 'y', description: 'do not ask for confirmation' } },
  examples: ['mtls certs delete 3515906310', 'mtls certs delete 3515906310 --yes --json'],
  usesGateway: true,
  async run(context) {
    const id = parseId(context.positionals[0], 'id', context.command);
    const client = context.gateway();
    if (!booleanOption(context.values, 'yes')) {
      const { io } = context;
      if (!io.isTTY.stdin || !io.isTTY.stderr) {
        throw new UsageError(
          'refusing to delete without --yes: stdin is not a terminal to confirm on',
          context.command,
        );
      }
      const certificate = await client.certificates.get(id);
      const confirmed = await confirm(
        io,
        `Delete certificate ${certificate.id} "${certificate.name}"? Its mappings will be disabled. [y/N] `,
      );
      if (!confirmed) {
        context.output.note('Nothing deleted.');
        return ExitCode.Ok;
      }
    }
    const deleted = await client.certificates.delete(id);
    if (context.output.json) context.output.printJson(deleted);
    else context.output.print(`Deleted certificate ${deleted.id} (${deleted.name}).\n`);
    return undefined;
  },
};

function printCertificate(context: CommandContext, certificate: Certificate): void {
  const { output } = context;
  if (output.json) output.printJson(certificate);
  else output.print(renderKeyValues(certificatePairs(certificate, context.now()), output.colors));
}

function printSaveResult(
  context: CommandContext,
  result: CertificateSaveResult,
  verb: string,
): typeof ExitCode.Ok | typeof ExitCode.Gateway {
  const { output } = context;
  const failed = result.failedSaveToVaultCertificates;
  if (output.json) output.printJson(result);
  else {
    for (const certificate of result.successfulySavedCertificates) {
      const expires = certificate.expirationDate
        ? `, expires ${shortDate(certificate.expirationDate)} (${relativeDays(daysLeft(new Date(certificate.expirationDate), context.now()))})`
        : '';
      output.print(
        `${verb} certificate ${certificate.id} (${certificate.name}): ${certificate.status}${expires}.\n`,
      );
    }
  }
  if (failed.length === 0) return ExitCode.Ok;
  // A 2xx answer that could not store the key: the certificate exists but cannot be presented.
  throw new CliFailure(
    `the gateway could not store the key of ${failed.map((certificate) => `${certificate.id} (${certificate.name})`).join(', ')}`,
    ExitCode.Gateway,
    'secret_store_failed',
  );
}

/** `mtls certs`. */
export const certsGroup: GroupSpec = {
  name: 'certs',
  summary: 'client certificates of the account',
  commands: [list, get, upload, replace, remove],
};
