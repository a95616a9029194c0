/**
 * The SDK client of a run: configuration resolved from flags, environment and profile, credentials
 * registered as secrets before anything can print, and `--verbose` wired to the SDK's logger (whose events
 * never carry headers, bodies or credentials).
 */
import { createMtlsGatewayClient, type MtlsGatewayClient, type MtlsGatewayLogEvent } from '@mtls-gateway/sdk';
import { type ConfigFlags, type ResolvedConfig, resolveConfig } from './config.js';
import type { CliIo } from './io.js';
import type { Output } from './output.js';
import { cliVersion } from './version.js';

/** Settings of the client that are not configuration of the gateway. */
export interface GatewayClientOptions {
  /** Seconds each attempt may take (`--timeout`). */
  timeoutSeconds?: number | undefined;
  verbose: boolean;
}

/**
 * Resolves the configuration and creates the SDK client.
 *
 * @throws {ConfigError} a setting is missing or unusable.
 *
 * @example
 * ```ts
 * const client = createGatewayClient({ account: 'le1606809' }, io, output, { verbose: false });
 * ```
 */
export function createGatewayClient(
  flags: ConfigFlags,
  io: Pick<CliIo, 'env' | 'homeDir'>,
  output: Output,
  options: GatewayClientOptions,
): MtlsGatewayClient {
  const config = resolveConfig(flags, io);
  if (config.auth.kind === 'bearer') output.addSecret(config.auth.token);
  else output.addSecret(config.auth.consumerSecret);
  if (options.verbose) output.note(output.errorColors.dim(describeConfig(config)));
  return createMtlsGatewayClient({
    baseUrl: config.gatewayUrl,
    accountId: config.account,
    auth:
      config.auth.kind === 'bearer'
        ? { bearer: config.auth.token }
        : { oauth1: { consumerKey: config.auth.consumerKey, consumerSecret: config.auth.consumerSecret } },
    ...(options.timeoutSeconds === undefined ? {} : { timeoutMs: options.timeoutSeconds * 1000 }),
    headers: { 'User-Agent': `mtls-cli/${cliVersion}` },
    ...(options.verbose ? { logger: (event: MtlsGatewayLogEvent) => logEvent(event, output) } : {}),
  });
}

/**
 * Where each setting came from, for `--verbose`: sources and non-secret values only.
 *
 * @example
 * ```ts
 * describeConfig(config); // "gateway http://127.0.0.1:8080 (MTLS_GATEWAY_URL), account le1 (--account), …"
 * ```
 */
export function describeConfig(config: ResolvedConfig): string {
  const auth = config.auth.kind === 'bearer' ? 'Bearer token' : 'OAuth 1.0a';
  return [
    `mtls: gateway ${config.gatewayUrl} (${config.sources.gatewayUrl})`,
    `account ${config.account} (${config.sources.account})`,
    `auth ${auth} (${config.auth.source})`,
  ].join(', ');
}

function logEvent(event: MtlsGatewayLogEvent, output: Output): void {
  const { dim } = output.errorColors;
  switch (event.type) {
    case 'request':
      output.note(dim(`> ${event.method} ${event.url} (${event.operation}, attempt ${event.attempt})`));
      break;
    case 'response': {
      const extras = [
        `${event.durationMs} ms`,
        event.gatewayError ? `gateway error ${event.gatewayError}` : undefined,
        event.requestId ? `request ${event.requestId}` : undefined,
      ].filter(Boolean);
      output.note(dim(`< ${event.status} (${extras.join(', ')})`));
      break;
    }
    case 'retry':
      output.note(dim(`! retrying ${event.operation} in ${Math.round(event.delayMs)} ms: ${event.reason}`));
      break;
    case 'error':
      output.note(dim(`! ${event.operation} failed after ${event.durationMs} ms: ${event.error.code}`));
      break;
    case 'discovery':
      output.note(dim(`discovered ${event.baseUrl} for ${event.accountId}`));
      break;
  }
}
