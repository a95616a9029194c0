#!/usr/bin/env node
// The `mtls-mock` executable: runs the standalone mock until SIGINT / SIGTERM.
import { MockCliUsageError, runMockCli } from './cli.js';

try {
  const server = await runMockCli(process.argv.slice(2));
  if (server) {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () => {
        void server.close().then(() => process.exit(0));
      });
    }
  }
} catch (error) {
  console.error(error instanceof MockCliUsageError ? error.message : error);
  process.exit(error instanceof MockCliUsageError ? 2 : 1);
}
