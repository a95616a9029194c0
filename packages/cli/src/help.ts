/**
 * The help texts: of the program, of a group, of a command. Written from the command specs, so the help
 * and the parser cannot disagree on an option.
 */
import type { CommandSpec, GroupSpec, OptionSpecs } from './command.js';
import { COMMON_OPTIONS, GATEWAY_OPTIONS, GROUPS, TOP_LEVEL_COMMANDS } from './commands/index.js';
import type { Colors } from './output.js';

const PROGRAM_USAGE = 'mtls <command> [options]';

/**
 * The usage line and help command of a command path (`[]` for the program, `['certs']` for a group).
 *
 * @example
 * ```ts
 * usageOf(['certs', 'upload']).usage; // 'mtls certs upload <file.p12> --name <name> …'
 * ```
 */
export function usageOf(command: readonly string[]): { usage: string; helpCommand: string } {
  const spec = findCommand(command);
  if (spec) return { usage: spec.usage, helpCommand: `mtls ${spec.path.join(' ')} --help` };
  const group = GROUPS.find((candidate) => candidate.name === command[0]);
  if (group) return { usage: groupUsage(group), helpCommand: `mtls ${group.name} --help` };
  return { usage: PROGRAM_USAGE, helpCommand: 'mtls --help' };
}

/** The command of a path of words, if there is one. */
export function findCommand(words: readonly string[]): CommandSpec | undefined {
  const top = TOP_LEVEL_COMMANDS.find((command) => command.path[0] === words[0]);
  if (top) return top;
  const group = GROUPS.find((candidate) => candidate.name === words[0]);
  return group?.commands.find((command) => command.path[1] === words[1]);
}

function groupUsage(group: GroupSpec): string {
  return `mtls ${group.name} <${group.commands.map((command) => command.path[1]).join('|')}> [options]`;
}

/**
 * `mtls --help`.
 *
 * @example
 * ```ts
 * io.stdout.write(programHelp(colors));
 * ```
 */
export function programHelp(colors: Colors): string {
  const commands = [...GROUPS.flatMap((group) => group.commands), ...TOP_LEVEL_COMMANDS];
  return [
    `${colors.bold('mtls')} — the command line client of the mTLS Gateway`,
    '',
    `Usage: ${PROGRAM_USAGE}`,
    '',
    colors.bold('Commands:'),
    ...aligned(commands.map((command) => [command.path.join(' '), command.summary])),
    '',
    colors.bold('Gateway options:'),
    ...optionLines(GATEWAY_OPTIONS),
    '',
    colors.bold('Options:'),
    ...optionLines(COMMON_OPTIONS),
    '',
    colors.bold('Configuration') +
      ' (the first that sets a value wins): flags, then the environment (MTLS_GATEWAY_URL,',
    '  MTLS_ACCOUNT, MTLS_TOKEN or MTLS_CONSUMER_KEY + MTLS_CONSUMER_SECRET), then a profile of the profile file',
    '  (MTLS_CONFIG, else ~/.config/mtls/config.json; chosen by --profile, MTLS_PROFILE or "defaultProfile").',
    '',
    `${colors.bold('Exit codes:')} 0 ok, 1 the gateway answered with an error (or a p12 file cannot be opened),`,
    '  2 usage or configuration error, 3 no answer (connection, TLS, timeout), 4 the remote answered >= 400',
    '  with --fail, 130 interrupted.',
    '',
    "Run 'mtls <command> --help' for the options of a command.",
    '',
  ].join('\n');
}

/**
 * `mtls certs --help`.
 *
 * @example
 * ```ts
 * io.stdout.write(groupHelp(certsGroup, colors));
 * ```
 */
export function groupHelp(group: GroupSpec, colors: Colors): string {
  return [
    `${colors.bold(`mtls ${group.name}`)} — ${group.summary}`,
    '',
    `Usage: ${groupUsage(group)}`,
    '',
    colors.bold('Commands:'),
    ...aligned(group.commands.map((command) => [command.path.join(' '), command.summary])),
    '',
    `Run 'mtls ${group.name} <command> --help' for the options of a command.`,
    '',
  ].join('\n');
}

/**
 * `mtls certs upload --help`.
 *
 * @example
 * ```ts
 * io.stdout.write(commandHelp(command, colors));
 * ```
 */
export function commandHelp(command: CommandSpec, colors: Colors): string {
  const lines = [
    `${colors.bold(`mtls ${command.path.join(' ')}`)} — ${command.summary}`,
    '',
    `Usage: ${command.usage}`,
  ];
  if (command.description) lines.push('', command.description);
  if (Object.keys(command.options).length > 0)
    lines.push('', colors.bold('Options:'), ...optionLines(command.options));
  if (command.usesGateway) lines.push('', colors.bold('Gateway options:'), ...optionLines(GATEWAY_OPTIONS));
  lines.push('', colors.bold('Common options:'), ...optionLines(COMMON_OPTIONS));
  if (command.examples && command.examples.length > 0) {
    lines.push('', colors.bold('Examples:'), ...command.examples.map((example) => `  ${example}`));
  }
  lines.push('');
  return lines.join('\n');
}

function optionLines(options: OptionSpecs): string[] {
  return aligned(
    Object.entries(options).map(([name, option]) => {
      const flag = `${option.short ? `-${option.short}, ` : '    '}--${name}${option.value ? ` ${option.value}` : ''}`;
      return [flag, option.description];
    }),
  );
}

function aligned(rows: readonly (readonly [string, string])[]): string[] {
  const width = Math.max(...rows.map(([left]) => left.length));
  return rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`);
}
