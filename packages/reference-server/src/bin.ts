#!/usr/bin/env node
/**
 * The `mtls-gateway` command: the reference server (`serve`, the default) and its admin commands. See
 * `mtls-gateway --help`.
 *
 * SIGINT / SIGTERM stop the server gracefully: in-flight requests get up to `MTLS_SHUTDOWN_TIMEOUT_MS` to
 * finish (exit code 0 when they all did, 1 when some were cut short). A second signal closes every connection
 * at once and exits with 1; a third exits immediately, whatever is still closing.
 */
import { FORCED_CLOSE_GRACE_MS, runCli } from './cli/cli.js';

const shutdown = new AbortController();
const forceStop = new AbortController();
let signalsReceived = 0;
const onSignal = () => {
  signalsReceived += 1;
  if (signalsReceived === 1) {
    shutdown.abort();
  } else if (signalsReceived === 2) {
    forceStop.abort();
    // The last resort should closing the database hang; serve's own bound comes first.
    setTimeout(() => process.exit(1), FORCED_CLOSE_GRACE_MS + 1_000).unref();
  } else {
    process.exit(1);
  }
};
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, onSignal);

const exitCode = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  signal: shutdown.signal,
  forceStop: forceStop.signal,
});
process.exitCode = exitCode;
// Whatever still holds the event loop once the command is done (an upstream socket cut short, a worker
// thread) must not keep the process alive past the documented bound.
setTimeout(() => process.exit(exitCode), 1_000).unref();
