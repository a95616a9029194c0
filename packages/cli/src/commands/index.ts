/**
 * Every command of `mtls`, and the options all of them accept.
 */
import type { CommandSpec, GroupSpec, OptionSpecs } from '../command.js';
import { certsGroup } from './certs.js';
import { forwardCommand } from './forward.js';
import { mappingsGroup } from './mappings.js';
import { p12Group } from './p12.js';

/** The command groups (`mtls certs …`). */
export const GROUPS: readonly GroupSpec[] = [certsGroup, mappingsGroup, p12Group];

/** Commands without a group (`mtls forward …`). */
export const TOP_LEVEL_COMMANDS: readonly CommandSpec[] = [forwardCommand];

/** Options that say which gateway, account and credentials to use. */
export const GATEWAY_OPTIONS: OptionSpecs = {
  'gateway-url': {
    type: 'string',
    value: '<url>',
    description: 'the gateway base URL (env MTLS_GATEWAY_URL)',
  },
  account: { type: 'string', value: '<id>', description: 'the account (site) id (env MTLS_ACCOUNT)' },
  token: {
    type: 'string',
    value: '<token>',
    description: 'a Bearer token (env MTLS_TOKEN; prefer the environment or a profile: flags show in ps)',
  },
  profile: {
    type: 'string',
    value: '<name>',
    description: 'the profile of the profile file (env MTLS_PROFILE)',
  },
  timeout: { type: 'string', value: '<seconds>', description: 'time limit of each attempt (default 60)' },
  verbose: { type: 'boolean', description: 'print the requests to stderr (never credentials or bodies)' },
};

/** Options of every command. */
export const COMMON_OPTIONS: OptionSpecs = {
  json: { type: 'boolean', description: 'machine-readable output on stdout (errors as JSON on stderr)' },
  'no-color': { type: 'boolean', description: 'no colours (also: NO_COLOR=1, or stdout not a terminal)' },
  help: { type: 'boolean', short: 'h', description: 'show the help' },
  version: { type: 'boolean', description: 'print the version' },
};

/** Every command, grouped ones first. */
export const ALL_COMMANDS: readonly CommandSpec[] = [
  ...GROUPS.flatMap((group) => group.commands),
  ...TOP_LEVEL_COMMANDS,
];

/**
 * The union of every option of every command: lets the first, lenient pass over the arguments tell option
 * values from command words wherever the options are written.
 */
export const ALL_OPTIONS: OptionSpecs = Object.assign(
  {},
  GATEWAY_OPTIONS,
  COMMON_OPTIONS,
  ...ALL_COMMANDS.map((command) => command.options),
);
