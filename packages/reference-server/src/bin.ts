#!/usr/bin/env node
/**
 * The `mtls-gateway` command: the reference server (`serve`, the default) and its admin commands. See
 * `mtls-gateway --help`. SIGINT / SIGTERM stop the server gracefully (in-flight requests finish).
 */
import { runCli } from './cli/cli.js';

const shutdown = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => shutdown.abort());
}

process.exitCode = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  signal: shutdown.signal,
});
