/**
 * An in-memory {@link CliIo} for tests: collects what `main` prints, feeds stdin, pretends to be (or not to
 * be) a terminal.
 */
import { PassThrough, Writable } from 'node:stream';
import type { CliIo } from '../io.js';

/** A fake io and what was written to it. */
export interface FakeIo {
  io: CliIo;
  /** Everything written to stdout so far. */
  stdout(): string;
  stderr(): string;
  /** stdin, to write to (end it for end of input). */
  stdin: PassThrough;
}

/**
 * A fake io; stdin is empty and closed unless `keepStdinOpen` (then write to `stdin` yourself).
 *
 * @example
 * ```ts
 * const fake = fakeIo({ env: { MTLS_TOKEN: 'token' } });
 * const code = await main(['certs', 'list'], fake.io);
 * expect(fake.stdout()).toContain('No certificates.');
 * ```
 */
export function fakeIo(
  options: {
    env?: Record<string, string | undefined>;
    tty?: Partial<CliIo['isTTY']>;
    stdin?: string;
    keepStdinOpen?: boolean;
    homeDir?: string;
  } = {},
): FakeIo {
  const collect = () => {
    const chunks: Buffer[] = [];
    const stream = new Writable({
      write(chunk: Buffer | string, _encoding, done) {
        chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
        done();
      },
    });
    return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
  };
  const stdout = collect();
  const stderr = collect();
  const stdin = new PassThrough();
  if (options.stdin !== undefined) stdin.write(options.stdin);
  if (!options.keepStdinOpen) stdin.end();
  return {
    io: {
      stdout: stdout.stream,
      stderr: stderr.stream,
      stdin,
      env: options.env ?? {},
      isTTY: { stdin: false, stdout: false, stderr: false, ...options.tty },
      homeDir: options.homeDir ?? '/nonexistent-home-for-tests',
    },
    stdout: stdout.text,
    stderr: stderr.text,
    stdin,
  };
}
