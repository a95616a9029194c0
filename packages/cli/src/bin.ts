#!/usr/bin/env node
// The `mtls` executable: runs `main` on the process's streams and exits with its code.
import { processIo } from './io.js';
import { main } from './main.js';

// A closed pipe (`mtls forward … | head`) just ends the output; it is not an error worth a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

process.exitCode = await main(process.argv.slice(2), processIo());
