/**
 * `main`: finds the command in the arguments, parses its options strictly, runs it and turns what it throws
 * into an exit code. Everything it touches comes through `io`, so tests can run it in-process.
 */
import { parseArgs } from 'node:util';
import { type MtlsGatewayClient, sdkVersion } from '@mtls-gateway/sdk';
import type { CommandSpec, OptionSpecs, OptionValues } from './command.js';
import { ALL_OPTIONS, COMMON_OPTIONS, GATEWAY_OPTIONS, GROUPS } from './commands/index.js';
import { ExitCode, type ExitCodeValue, UsageError } from './errors.js';
import { createGatewayClient } from './gateway.js';
import { commandHelp, findCommand, groupHelp, programHelp, usageOf } from './help.js';
import type { CliIo } from './io.js';
import { createOutput, type Output } from './output.js';
import { reportError } from './report.js';
import { cliVersion } from './version.js';

/** Options of {@link main} for tests. */
export interface MainOptions {
  /** The current time (for "days left"). Default: the clock. */
  now?: () => Date;
}

/**
 * Runs `mtls` with the arguments after the program name and resolves with the exit code. It never throws and
 * never exits the process: `bin.ts` sets `process.exitCode` from the result.
 *
 * @example
 * ```ts
 * import { main, processIo } from '@mtls-gateway/cli';
 *
 * process.exitCode = await main(['certs', 'list', '--json'], processIo());
 * ```
 */
export async function main(
  argv: readonly string[],
  io: CliIo,
  options: MainOptions = {},
): Promise<ExitCodeValue> {
  // Known before parsing, so even a usage error is reported as JSON or without colours when asked.
  let output = createOutput(withNoColor(io, argv.includes('--no-color')), { json: argv.includes('--json') });
  try {
    const located = locateCommand(argv);
    if (located.values.version === true) {
      output.print(`mtls ${cliVersion} (@mtls-gateway/sdk ${sdkVersion}, node ${process.version})\n`);
      return ExitCode.Ok;
    }
    const help = located.values.help === true;
    const [first, second] = located.words;
    if (first === undefined) {
      if (help) return printed(output, programHelp(output.colors));
      throw new UsageError('missing command', []);
    }
    const command = findCommand(located.words);
    if (!command) {
      const group = GROUPS.find((candidate) => candidate.name === first);
      if (!group) throw new UsageError(`unknown command "${first}"${suggestion(first, topLevelWords())}`, []);
      if (second === undefined) {
        if (help) return printed(output, groupHelp(group, output.colors));
        throw new UsageError(`missing command after "${first}"`, [first]);
      }
      const names = group.commands.map((candidate) => candidate.path[1] ?? '');
      throw new UsageError(`unknown command "${first} ${second}"${suggestion(second, names)}`, [first]);
    }
    if (help) return printed(output, commandHelp(command, output.colors));

    const parsed = parseCommandArguments(command, located.rest);
    output = createOutput(withNoColor(io, parsed.values['no-color'] === true), {
      json: parsed.values.json === true,
    });
    return await runCommand(command, parsed, io, output, options);
  } catch (error) {
    return reportError(error, output, usageOf);
  }
}

function printed(output: Output, text: string): ExitCodeValue {
  output.print(text);
  return ExitCode.Ok;
}

async function runCommand(
  command: CommandSpec,
  parsed: { values: OptionValues; positionals: string[] },
  io: CliIo,
  output: Output,
  options: MainOptions,
): Promise<ExitCodeValue> {
  const { values } = parsed;
  const timeoutSeconds = parseTimeout(values.timeout, command.path);
  // The token is a secret from the moment it is parsed, whatever fails next.
  output.addSecret(typeof values.token === 'string' ? values.token : undefined);
  let client: MtlsGatewayClient | undefined;
  const result = await command.run({
    command: command.path,
    positionals: parsed.positionals,
    values,
    io,
    output,
    now: options.now ?? (() => new Date()),
    gateway: () => {
      client ??= createGatewayClient(
        {
          gatewayUrl: stringValue(values['gateway-url']),
          account: stringValue(values.account),
          token: stringValue(values.token),
          profile: stringValue(values.profile),
        },
        io,
        output,
        { timeoutSeconds, verbose: values.verbose === true },
      );
      return client;
    },
  });
  return result ?? ExitCode.Ok;
}

/** The first, lenient pass: which words name the command, and the arguments left for its own parser. */
function locateCommand(argv: readonly string[]): { words: string[]; rest: string[]; values: OptionValues } {
  const { tokens, values } = parseArgs({
    args: [...argv],
    options: toParseArgsOptions(ALL_OPTIONS),
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const positionals = tokens.filter((token) => token.kind === 'positional');
  const commandTokens = positionals.slice(
    0,
    GROUPS.some((group) => group.name === positionals[0]?.value) ? 2 : 1,
  );
  const taken = new Set(commandTokens.map((token) => token.index));
  return {
    words: commandTokens.map((token) => token.value),
    rest: argv.filter((_argument, index) => !taken.has(index)),
    values: values as OptionValues,
  };
}

/** The strict pass: the command's options plus the common ones; anything else is a usage error. */
function parseCommandArguments(
  command: CommandSpec,
  args: readonly string[],
): { values: OptionValues; positionals: string[] } {
  let parsed: { values: OptionValues; positionals: string[] };
  try {
    parsed = parseArgs({
      args: [...args],
      options: toParseArgsOptions({ ...GATEWAY_OPTIONS, ...COMMON_OPTIONS, ...command.options }),
      strict: true,
      allowPositionals: true,
    }) as { values: OptionValues; positionals: string[] };
  } catch (error) {
    throw new UsageError(describeParseError(error), command.path);
  }
  const { min, max, names } = command.positionals;
  if (parsed.positionals.length < min) {
    const missing = names.split(' ').slice(parsed.positionals.length).join(' ');
    throw new UsageError(`missing ${missing}`, command.path);
  }
  if (parsed.positionals.length > max) {
    throw new UsageError(`unexpected argument "${parsed.positionals[max]}"`, command.path);
  }
  return parsed;
}

function toParseArgsOptions(
  options: OptionSpecs,
): Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> {
  return Object.fromEntries(
    Object.entries(options).map(([name, option]) => [
      name,
      {
        type: option.type,
        ...(option.short ? { short: option.short } : {}),
        ...(option.multiple ? { multiple: true } : {}),
      },
    ]),
  );
}

/**
 * One line out of a parseArgs error. Values are never quoted back (`--passwrd=secret` names the option only),
 * and `--password` gets the hint where passwords come from instead.
 */
function describeParseError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown }).code;
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const option = (/^Unknown option '([^']*)'/.exec(message)?.[1] ?? '').split('=')[0] ?? '';
    if (option === '--password') {
      return 'there is no --password option (command lines are visible to other users): use --password-file <path>, --password-stdin or the prompt';
    }
    return `unknown option '${option}'`;
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    const option = /Option '(-[^' ]*)/.exec(message)?.[1];
    if (option && /argument missing/.test(message)) return `option '${option}' needs a value`;
    if (option && /does not take an argument/.test(message)) return `option '${option}' takes no value`;
    if (option) return `option '${option}' needs a value (write ${option}=<value> for one starting with '-')`;
  }
  return message.split('. ')[0] ?? message;
}

function parseTimeout(value: OptionValues[string], command: readonly string[]): number | undefined {
  const text = stringValue(value);
  if (text === undefined) return undefined;
  const seconds = Number(text);
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new UsageError(`--timeout must be a positive number of seconds, not "${text}"`, command);
  }
  return seconds;
}

function stringValue(value: OptionValues[string]): string | undefined {
  if (Array.isArray(value)) {
    const last = value[value.length - 1];
    return typeof last === 'string' ? last : undefined;
  }
  return typeof value === 'string' ? value : undefined;
}

function withNoColor(io: CliIo, noColor: boolean): CliIo {
  return noColor ? { ...io, env: { ...io.env, NO_COLOR: '1' } } : io;
}

function topLevelWords(): string[] {
  return [...GROUPS.map((group) => group.name), 'forward'];
}

/** `; did you mean "certs"?` for a word at most two edits away from a known one. */
function suggestion(word: string, candidates: readonly string[]): string {
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = editDistance(word.toLowerCase(), candidate);
    if (distance <= 2 && (!best || distance < best.distance)) best = { candidate, distance };
  }
  return best ? `; did you mean "${best.candidate}"?` : '';
}

function editDistance(left: string, right: string): number {
  let previous = Array.from({ length: right.length + 1 }, (_value, index) => index);
  for (let i = 1; i <= left.length; i++) {
    const current = [i];
    for (let j = 1; j <= right.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (left[i - 1] === right[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[right.length] ?? 0;
}
