/**
 * Exit codes of `mtls` and the errors the CLI raises itself. Errors of the SDK are mapped to exit codes in
 * `report.ts`; these classes cover what happens before a call is made (arguments, configuration, files).
 */

/**
 * The exit codes of `mtls`, as documented in the README.
 *
 * @example
 * ```ts
 * process.exitCode = ExitCode.Usage;
 * ```
 */
export const ExitCode = {
  /** Done. */
  Ok: 0,
  /** The gateway answered with an error (its problem is printed), or a local p12 file could not be opened. */
  Gateway: 1,
  /** Usage or configuration error: unknown command or option, missing argument, unreadable file, no credentials. */
  Usage: 2,
  /** No answer from the gateway: connection refused, DNS, TLS, timeout. */
  Transport: 3,
  /** `--fail` was given and the remote answered 400 or more (`forward`, `p12 test`). */
  RemoteError: 4,
  /** Interrupted (Ctrl-C at a prompt). */
  Interrupted: 130,
} as const;

/**
 * One of the {@link ExitCode} values.
 *
 * @example
 * ```ts
 * const code: ExitCodeValue = ExitCode.Transport;
 * ```
 */
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/**
 * A usage error: the command line is wrong. Printed as one line, a hint and the command's usage; exit 2.
 *
 * @example
 * ```ts
 * throw new UsageError('missing <file.p12>', ['certs', 'upload']);
 * ```
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  /** The command whose usage is shown (`['certs', 'upload']`); empty for the program's. */
  readonly command: readonly string[];

  constructor(message: string, command: readonly string[] = []) {
    super(message);
    this.command = command;
  }
}

/**
 * A configuration problem (no gateway URL, no credentials, unsafe profile file) or an input file that cannot
 * be read. Exit 2 like usage errors, but without the usage text: the command line itself was fine.
 *
 * @example
 * ```ts
 * throw new ConfigError('no gateway URL: pass --gateway-url or set MTLS_GATEWAY_URL');
 * ```
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/**
 * A failure with a chosen exit code and an optional machine-readable `code` (e.g. a p12 problem found
 * locally, or `--fail` with an error answer of the remote).
 *
 * @example
 * ```ts
 * throw new CliFailure('the remote answered 503', ExitCode.RemoteError, 'remote_error');
 * ```
 */
export class CliFailure extends Error {
  override readonly name = 'CliFailure';
  readonly exitCode: ExitCodeValue;
  readonly code: string | undefined;

  constructor(message: string, exitCode: ExitCodeValue, code?: string) {
    super(message);
    this.exitCode = exitCode;
    this.code = code;
  }
}

/**
 * Ctrl-C at a prompt: nothing was sent. Exit 130.
 *
 * @example
 * ```ts
 * throw new InterruptedError();
 * ```
 */
export class InterruptedError extends Error {
  override readonly name = 'InterruptedError';
  constructor() {
    super('interrupted');
  }
}
