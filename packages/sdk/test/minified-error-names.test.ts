// Class names do not survive minification, so every error class of the SDK sets a literal `name`. Each entry
// is bundled minified (as a consumer's bundler would), imported, and every exported error class must still
// name itself — in `name`, in `String(error)` and in `toJSON()`.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { bundleEntry } from './support/bundle.js';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
let scratch: string;

/** Arguments of the error constructors that take something other than a message. */
const CONSTRUCTOR_ARGUMENTS: Record<string, unknown[]> = {
  P12ExpiredError: [new Date(0)],
  P12NotYetValidError: [new Date(0)],
  P12MultipleKeysError: [2],
};

type ErrorConstructor = new (...args: unknown[]) => Error & { toJSON?: () => { name: string } };

/** The exported error classes of a module, by export name. */
function errorClasses(module: Record<string, unknown>): Array<[string, ErrorConstructor]> {
  return Object.entries(module).filter(
    (entry): entry is [string, ErrorConstructor] =>
      typeof entry[1] === 'function' && entry[1].prototype instanceof Error,
  );
}

const ENTRIES = [
  { entry: 'src/index.ts', platform: 'browser' },
  { entry: 'src/p12/index.ts', platform: 'browser' },
  // The Node entry keeps undici and Node built-ins external; they resolve from this package.
  { entry: 'src/node/index.ts', platform: 'node', external: [/^node:/, 'undici'] },
] as const;

beforeAll(async () => {
  // Under the package's node_modules, so that the external imports of the Node entry resolve.
  const cache = join(packageDir, 'node_modules/.cache');
  await mkdir(cache, { recursive: true });
  scratch = await mkdtemp(join(cache, 'minified-names-'));
});

afterAll(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe.each(ENTRIES)('the minified $entry entry', ({ entry, platform, ...options }) => {
  test('keeps the literal name of every exported error class', async () => {
    const { code } = await bundleEntry(join(packageDir, entry), {
      platform,
      ...('external' in options ? { external: [...options.external] } : {}),
    });
    const file = join(scratch, `${entry.replaceAll('/', '_')}.mjs`);
    await writeFile(file, code);
    const minified: Record<string, unknown> = await import(pathToFileURL(file).href);
    const source: Record<string, unknown> = await import(join(packageDir, entry));

    // The same error classes as the sources export, so none is skipped.
    const classes = errorClasses(minified);
    expect(classes.map(([exported]) => exported).sort()).toEqual(
      errorClasses(source)
        .map(([exported]) => exported)
        .sort(),
    );
    expect(classes.length).toBeGreaterThan(0);

    for (const [exported, ErrorClass] of classes) {
      const error = new ErrorClass(...(CONSTRUCTOR_ARGUMENTS[exported] ?? ['x']));
      expect(error.name, exported).toBe(exported);
      expect(String(error).startsWith(`${exported}: `), `${exported}: ${String(error)}`).toBe(true);
      if (typeof error.toJSON === 'function') expect(error.toJSON().name, exported).toBe(exported);
    }
    // matchError goes by code, never by class name, so it still tells the minified errors apart.
    if (typeof minified.matchError === 'function') {
      const matchError = minified.matchError as (error: unknown, handlers: object) => unknown;
      const handlers = { not_found: () => 'not_found', auth_misconfigured: () => 'auth', _: () => 'other' };
      const [NotFound, AuthConfiguration] = ['NotFoundError', 'AuthConfigurationError'].map(
        (exported) => minified[exported] as ErrorConstructor,
      );
      if (!NotFound || !AuthConfiguration) throw new Error('the main entry lost its error classes');
      expect(matchError(new NotFound('x'), handlers)).toBe('not_found');
      expect(matchError(new AuthConfiguration('x'), handlers)).toBe('auth');
      expect(matchError(new Error('x'), handlers)).toBe('other');
    } else {
      expect(entry, 'matchError is exported from the main entry').not.toBe('src/index.ts');
    }
    // The check means something: minification really renamed classes, so only the literals kept the names.
    expect(classes.filter(([exported, ErrorClass]) => ErrorClass.name !== exported).length).toBeGreaterThan(
      0,
    );
  });
});
