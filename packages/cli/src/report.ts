/**
 * Turns what a command threw into an exit code and a message on stderr: the gateway's problem (title, detail,
 * code, request id), a transport failure, a usage error with the command's usage, or a configuration error.
 */
import {
  AbortError,
  AuthError,
  ConnectionError,
  DiscoveryError,
  InvalidArgumentError,
  MtlsGatewayError,
  TimeoutError,
} from '@mtls-gateway/sdk';
import {
  CliFailure,
  ConfigError,
  ExitCode,
  type ExitCodeValue,
  InterruptedError,
  UsageError,
} from './errors.js';
import type { Output } from './output.js';

/** What the usage part of an error needs: the usage line of a command (or of the program). */
export type UsageLookup = (command: readonly string[]) => { usage: string; helpCommand: string };

/**
 * Prints an error the way its kind asks and returns the exit code. With `--json`, stderr gets one JSON object
 * `{ "error": { … } }` instead of text.
 *
 * @example
 * ```ts
 * return reportError(error, output, usageOf);
 * ```
 */
export function reportError(error: unknown, output: Output, usageOf: UsageLookup): ExitCodeValue {
  const { red, bold, dim } = output.errorColors;
  const fail = (
    code: ExitCodeValue,
    message: string,
    details: Record<string, unknown> = {},
  ): ExitCodeValue => {
    if (output.json) {
      output.note(JSON.stringify({ error: { exitCode: code, message, ...details } }));
    } else {
      output.note(`${red('mtls:')} ${message}`);
    }
    return code;
  };

  if (error instanceof UsageError) {
    const { usage, helpCommand } = usageOf(error.command);
    if (output.json) return fail(ExitCode.Usage, error.message, { code: 'usage', usage });
    output.note(`${red('mtls:')} ${error.message}`);
    output.note(`Usage: ${usage}`);
    output.note(dim(`Run '${helpCommand}' for more.`));
    return ExitCode.Usage;
  }
  if (error instanceof ConfigError) return fail(ExitCode.Usage, error.message, { code: 'configuration' });
  if (error instanceof InterruptedError)
    return fail(ExitCode.Interrupted, 'interrupted', { code: 'interrupted' });
  if (error instanceof CliFailure) {
    return fail(error.exitCode, error.message, error.code === undefined ? {} : { code: error.code });
  }
  if (error instanceof AuthError) {
    // Credentials the SDK cannot use (empty token, bad key): a configuration problem, found before sending.
    return fail(ExitCode.Usage, `the credentials cannot be used: ${error.message}`, { code: error.code });
  }
  if (error instanceof MtlsGatewayError) {
    if (error instanceof InvalidArgumentError)
      return fail(ExitCode.Usage, error.message, { code: error.code });
    if (error instanceof AbortError) return fail(ExitCode.Interrupted, 'interrupted', { code: error.code });
    if (
      error instanceof ConnectionError ||
      error instanceof TimeoutError ||
      error instanceof DiscoveryError
    ) {
      return fail(ExitCode.Transport, `${error.message}${causeSuffix(error)}`, { code: error.code });
    }
    return reportGatewayProblem(error, output, { red, bold, dim });
  }
  const message = error instanceof Error ? error.message : String(error);
  return fail(ExitCode.Gateway, `unexpected error: ${message}`, { code: 'internal' });
}

/** The gateway answered with an error: its problem's title, detail, code, request id and invalid inputs. */
function reportGatewayProblem(
  error: MtlsGatewayError,
  output: Output,
  colors: { red(text: string): string; bold(text: string): string; dim(text: string): string },
): ExitCodeValue {
  const problem = error.problem;
  const title = typeof problem?.title === 'string' ? problem.title : error.name;
  const detail = typeof problem?.detail === 'string' ? problem.detail : error.message;
  const errors = Array.isArray(problem?.errors) ? problem.errors : [];
  if (output.json) {
    output.note(
      JSON.stringify({
        error: {
          exitCode: ExitCode.Gateway,
          status: error.status,
          code: error.code,
          title,
          detail,
          requestId: error.requestId,
          ...(errors.length > 0 ? { errors } : {}),
        },
      }),
    );
    return ExitCode.Gateway;
  }
  const label = [error.status, error.code].filter((part) => part !== undefined).join(' ');
  output.note(`${colors.red('mtls:')} ${colors.bold(title)} (${label})`);
  if (detail) output.note(`  ${detail}`);
  for (const input of errors) output.note(`  - ${input.location} ${input.name}: ${input.message}`);
  output.note(colors.dim(`  code: ${error.code}`));
  if (error.requestId) output.note(colors.dim(`  request id: ${error.requestId}`));
  return ExitCode.Gateway;
}

/** The low-level reason (`ECONNREFUSED`, a TLS error code) when the SDK's message does not already say it. */
function causeSuffix(error: Error): string {
  const cause = (error as { cause?: unknown }).cause;
  const inner = (cause as { cause?: unknown } | undefined)?.cause ?? cause;
  const code = (inner as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && !error.message.includes(code) ? ` [${code}]` : '';
}
