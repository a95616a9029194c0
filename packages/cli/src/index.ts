/**
 * `@mtls-gateway/cli`: the `mtls` command line client of the mTLS Gateway, built on `@mtls-gateway/sdk`.
 * The package's programmatic entry runs the CLI in-process with injectable streams and environment.
 *
 * @example
 * ```ts
 * import { ExitCode, main, processIo } from '@mtls-gateway/cli';
 *
 * const code = await main(['certs', 'list', '--json'], processIo());
 * if (code === ExitCode.Transport) console.error('the gateway is unreachable');
 * ```
 */
export type { CommandContext, CommandSpec, GroupSpec, OptionSpec } from './command.js';
export type { ConfigFlags, Profile, ProfileFile, ResolvedAuth, ResolvedConfig } from './config.js';
export { profileFilePath, readProfileFile, resolveConfig, selectProfile } from './config.js';
export type { ExitCodeValue } from './errors.js';
export { CliFailure, ConfigError, ExitCode, InterruptedError, UsageError } from './errors.js';
export type { CliIo, CliWritable } from './io.js';
export { processIo } from './io.js';
export type { MainOptions } from './main.js';
export { main } from './main.js';
export type { Cell, ColorName, Colors, Column, Output } from './output.js';
export { createColors, createOutput, renderKeyValues, renderTable } from './output.js';
export { cliVersion } from './version.js';
