/**
 * How a command is described (its usage, options and help) and what it gets when it runs.
 */
import type { MtlsGatewayClient } from '@mtls-gateway/sdk';
import type { ExitCodeValue } from './errors.js';
import type { CliIo } from './io.js';
import type { Output } from './output.js';

/** One option of a command, as `node:util` parseArgs takes it, plus its help. */
export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  multiple?: boolean;
  /** Placeholder of the value in the help (`<path>`). */
  value?: string;
  description: string;
}

/** Options by long name. */
export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

/** The values parseArgs gives for a command's options. */
export type OptionValues = Readonly<Record<string, string | boolean | (string | boolean)[] | undefined>>;

/** What a command's `run` receives. */
export interface CommandContext {
  /** The command words (`['certs', 'upload']`), for usage errors. */
  command: readonly string[];
  positionals: readonly string[];
  values: OptionValues;
  io: CliIo;
  output: Output;
  /** The gateway client (configuration resolved on first use: local commands never need it). */
  gateway(): MtlsGatewayClient;
  /** The current time (injectable for tests of "days left"). */
  now(): Date;
}

/** A command: its words, help, options and what it does. */
export interface CommandSpec {
  /** The command words after `mtls`, e.g. `['certs', 'upload']` or `['forward']`. */
  path: readonly string[];
  /** One line for the command list. */
  summary: string;
  /** The usage line after `mtls ` (arguments and options). */
  usage: string;
  /** More about what it does, shown by `--help`. */
  description?: string;
  /** How many positional arguments it takes. */
  positionals: { min: number; max: number; names: string };
  options: OptionSpecs;
  examples?: readonly string[];
  /** Whether it calls the gateway (then the gateway options are listed in its help). */
  usesGateway: boolean;
  /** Runs it; resolves with the exit code (`undefined` → 0). */
  run(context: CommandContext): Promise<ExitCodeValue | undefined>;
}

/** A group of commands (`certs`, `mappings`, `p12`). */
export interface GroupSpec {
  name: string;
  summary: string;
  commands: readonly CommandSpec[];
}

/**
 * The string value of an option (the last one when repeated).
 *
 * @example
 * ```ts
 * const name = stringOption(context.values, 'name');
 * ```
 */
export function stringOption(values: OptionValues, name: string): string | undefined {
  const value = values[name];
  if (Array.isArray(value)) {
    const last = value[value.length - 1];
    return typeof last === 'string' ? last : undefined;
  }
  return typeof value === 'string' ? value : undefined;
}

/**
 * Every value of a repeatable string option.
 *
 * @example
 * ```ts
 * const headers = stringListOption(context.values, 'header');
 * ```
 */
export function stringListOption(values: OptionValues, name: string): string[] {
  const value = values[name];
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === 'string');
  return typeof value === 'string' ? [value] : [];
}

/**
 * Whether a boolean option was given.
 *
 * @example
 * ```ts
 * if (booleanOption(context.values, 'yes')) skipConfirmation();
 * ```
 */
export function booleanOption(values: OptionValues, name: string): boolean {
  return values[name] === true;
}
