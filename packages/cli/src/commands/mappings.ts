/**
 * `mtls mappings …`: which certificate the gateway presents for which service and URL.
 */
import type { Mapping } from '@mtls-gateway/sdk';
import {
  booleanOption,
  type CommandContext,
  type CommandSpec,
  type GroupSpec,
  stringListOption,
  stringOption,
} from '../command.js';
import { UsageError } from '../errors.js';
import { renderKeyValues, renderTable } from '../output.js';
import { parseId, parseServiceName, SERVICE_NAMES } from './shared.js';

const SERVICE_OPTION = {
  type: 'string',
  value: '<service>',
  description: `the service: ${SERVICE_NAMES.join(', ')} (required)`,
} as const;

const list: CommandSpec = {
  path: ['mappings', 'list'],
  summary: 'list the mappings of the account',
  usage: 'mtls mappings list [--json]',
  positionals: { min: 0, max: 0, names: '' },
  options: {},
  examples: ['mtls mappings list'],
  usesGateway: true,
  async run(context) {
    const mappings = await context.gateway().mappings.list();
    const { output } = context;
    if (output.json) return void output.printJson(mappings);
    if (mappings.length === 0) return void output.print('No mappings.\n');
    output.print(
      renderTable(
        [
          { header: 'ID', align: 'right' },
          { header: 'SERVICE' },
          { header: 'CERTIFICATE', align: 'right' },
          { header: 'NAME' },
          { header: 'ENABLED' },
          { header: 'URL' },
        ],
        mappings.map((mapping) => [
          String(mapping.id),
          mapping.serviceName,
          String(mapping.certificationId),
          mapping.name,
          mapping.enable ? { text: 'yes', color: 'green' } : { text: 'no', color: 'yellow' },
          mapping.url,
        ]),
        output.colors,
      ),
    );
    return undefined;
  },
};

const add: CommandSpec = {
  path: ['mappings', 'add'],
  summary: 'present a certificate for a service and URL',
  usage: 'mtls mappings add <certificateId> --service <service> --url <url> [--validate-url] [--json]',
  description:
    'The URL is complete (query included); a trailing * makes it a prefix of the same origin.\n' +
    'With --validate-url the gateway first calls the URL with the certificate and refuses the mapping if that fails.',
  positionals: { min: 1, max: 1, names: '<certificateId>' },
  options: {
    service: SERVICE_OPTION,
    url: {
      type: 'string',
      value: '<url>',
      description: 'the URL (or prefix ending in *) to serve (required)',
    },
    'validate-url': {
      type: 'boolean',
      description: 'have the gateway call the URL with the certificate first',
    },
  },
  examples: [
    "mtls mappings add 3515906310 --service WEBHOOKS --url 'https://api.example.com/hooks?tenant=42'",
    "mtls mappings add 3515906310 --service IDP --url 'https://idp.example.com/*' --validate-url",
  ],
  usesGateway: true,
  async run(context) {
    const certificateId = parseId(context.positionals[0], 'certificateId', context.command);
    const serviceName = parseServiceName(required(context, 'service', '<service>'), context.command);
    const url = required(context, 'url', '<url>');
    const validateUrl = booleanOption(context.values, 'validate-url');
    const mapping = await context
      .gateway()
      .mappings.activate(certificateId, { serviceName, url }, validateUrl ? { validateUrl: true } : {});
    printMapping(context, mapping, 'Added');
    return undefined;
  },
};

const remove: CommandSpec = {
  path: ['mappings', 'delete'],
  summary: 'delete a mapping (requests to its URL go out without its certificate)',
  usage: 'mtls mappings delete <mappingId> [--json]',
  positionals: { min: 1, max: 1, names: '<mappingId>' },
  options: {},
  examples: ['mtls mappings delete 7340032010'],
  usesGateway: true,
  async run(context) {
    const mappingId = parseId(context.positionals[0], 'mappingId', context.command);
    const mapping = await context.gateway().mappings.delete(mappingId);
    printMapping(context, mapping, 'Deleted');
    return undefined;
  },
};

const check: CommandSpec = {
  path: ['mappings', 'check'],
  summary: 'tell whether a certificate is mapped for a service and URL',
  usage: 'mtls mappings check --service <service> --url <url> [--url <url>]... [--json]',
  description:
    'Asks the gateway, for each URL, whether an enabled mapping of the service serves it (exactly or by prefix).\n' +
    'The exit code is 0 either way; read "exist" with --json in scripts.',
  positionals: { min: 0, max: 0, names: '' },
  options: {
    service: SERVICE_OPTION,
    url: {
      type: 'string',
      multiple: true,
      value: '<url>',
      description: 'a URL to check (repeatable; required)',
    },
  },
  examples: ["mtls mappings check --service WEBHOOKS --url 'https://api.example.com/hooks?tenant=42'"],
  usesGateway: true,
  async run(context) {
    const serviceName = parseServiceName(required(context, 'service', '<service>'), context.command);
    const urls = stringListOption(context.values, 'url');
    if (urls.length === 0) throw new UsageError('missing --url <url>', context.command);
    const results = await context.gateway().mappings.check(urls.map((url) => ({ serviceName, url })));
    const { output } = context;
    if (output.json) return void output.printJson(results);
    output.print(
      renderTable(
        [{ header: 'SERVICE' }, { header: 'MAPPED' }, { header: 'URL' }],
        results.map((result) => [
          result.serviceName,
          result.exist ? { text: 'yes', color: 'green' } : { text: 'no', color: 'yellow' },
          result.url,
        ]),
        output.colors,
      ),
    );
    return undefined;
  },
};

function required(context: CommandContext, option: string, placeholder: string): string {
  const value = stringOption(context.values, option);
  if (value === undefined || value === '')
    throw new UsageError(`missing --${option} ${placeholder}`, context.command);
  return value;
}

function printMapping(context: CommandContext, mapping: Mapping, verb: string): void {
  const { output } = context;
  if (output.json) return void output.printJson(mapping);
  output.print(`${verb} mapping ${mapping.id}.\n`);
  output.print(
    renderKeyValues(
      [
        ['Service', mapping.serviceName],
        ['URL', mapping.url],
        ['Certificate', `${mapping.certificationId} (${mapping.name})`],
        ['Enabled', mapping.enable ? 'yes' : 'no'],
      ],
      output.colors,
    ),
  );
}

/** `mtls mappings`. */
export const mappingsGroup: GroupSpec = {
  name: 'mappings',
  summary: 'which certificate serves which service and URL',
  commands: [list, add, remove, check],
};
