// A consumer installs workspace packages from the tarballs `pnpm pack` makes — not from the workspace — as
// it would from the registry: each tarball stands in for the registry's copy of its package.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const run = promisify(execFile);
export const root = fileURLToPath(new URL('../../..', import.meta.url));
// Under `pnpm run`, npm_execpath is pnpm itself; otherwise pnpm must be on PATH.
const pnpm = process.env.npm_execpath?.includes('pnpm')
  ? [process.execPath, process.env.npm_execpath]
  : ['pnpm'];

/** Runs pnpm (the one running this suite when there is one) in `cwd`. */
export async function pnpmRun(args: string[], cwd: string) {
  const [command = 'pnpm', ...prefix] = pnpm;
  try {
    return await run(command, [...prefix, ...args], {
      cwd,
      env: { ...process.env, CI: 'true' },
      maxBuffer: 1 << 24,
    });
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(
      `pnpm ${args.join(' ')} failed in ${cwd}:\n${stdout.slice(-4000)}\n${stderr.slice(-4000)}`,
      {
        cause: error,
      },
    );
  }
}

const PACK_LOCK = join(tmpdir(), 'mtls-gateway-pack.lock');

/**
 * Runs `pack` while no other test file packs: packing builds each package's `dist/` (prepack), and two
 * builds writing the same files at once could pack a half-written file. The lock is a directory (mkdir is
 * atomic); one left behind by a killed run is taken over after five minutes.
 */
async function whilePacking<T>(pack: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      await mkdir(PACK_LOCK);
      break;
    } catch {
      const since = await stat(PACK_LOCK).then(
        (info) => Date.now() - info.mtimeMs,
        () => 0,
      );
      if (since > 5 * 60_000) await rm(PACK_LOCK, { recursive: true, force: true });
      else await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  try {
    return await pack();
  } finally {
    await rm(PACK_LOCK, { recursive: true, force: true });
  }
}

/** A folder with packed workspace packages installed in it; `remove()` deletes it. */
export interface PackedConsumer {
  dir: string;
  /** Tarball file name by package name (`@mtls-gateway/sdk` → `mtls-gateway-sdk-0.1.0.tgz`). */
  tarballs: Map<string, string>;
  /** The paths inside a package's tarball. */
  listTarball(name: string): Promise<string[]>;
  /** The package.json a tarball carries (what the registry would serve). */
  packedManifest(name: string): Promise<Record<string, unknown>>;
  remove(): Promise<void>;
}

/**
 * Packs `packages` (directory names under `packages/`) and installs `install` of them in a new folder with
 * `dependencies` besides (registry packages at the workspace's versions); every packed package is also an
 * override, so that their dependencies on each other resolve to the tarballs.
 */
export async function packedConsumer(options: {
  packages: readonly string[];
  install: readonly string[];
  dependencies?: Record<string, string>;
}): Promise<PackedConsumer> {
  const dir = await mkdtemp(join(tmpdir(), 'mtls-consumer-'));
  await whilePacking(async () => {
    for (const name of options.packages) {
      await pnpmRun(['pack', '--pack-destination', dir], join(root, 'packages', name));
    }
  });
  const files = await readdir(dir);
  const tarballs = new Map<string, string>();
  for (const name of options.packages) {
    const file = files.find((candidate) => candidate.startsWith(`mtls-gateway-${name}-`));
    if (!file) throw new Error(`pnpm pack made no tarball of ${name}: ${files.join(', ')}`);
    tarballs.set(`@mtls-gateway/${name}`, file);
  }
  const dependencies: Record<string, string> = { ...options.dependencies };
  const overrides: Record<string, string> = {};
  for (const [name, file] of tarballs) {
    // The override makes the packages' dependencies on each other resolve to the tarballs too.
    overrides[name] = `file:./${file}`;
    if (options.install.includes(name.slice('@mtls-gateway/'.length))) dependencies[name] = `file:./${file}`;
  }
  await writeFile(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'consumer', private: true, type: 'module', dependencies, pnpm: { overrides } }),
  );
  // Everything the tarballs need is in the local pnpm store already: no registry round-trip.
  await pnpmRun(
    ['install', '--prefer-offline', '--ignore-workspace', '--config.confirmModulesPurge=false'],
    dir,
  );

  const tarballOf = (name: string) => {
    const file = tarballs.get(name);
    if (!file) throw new Error(`${name} was not packed`);
    return join(dir, file);
  };
  return {
    dir,
    tarballs,
    async listTarball(name) {
      const { stdout } = await run('tar', ['-tzf', tarballOf(name)]);
      return stdout.trim().split('\n');
    },
    async packedManifest(name) {
      const { stdout } = await run('tar', ['-xzOf', tarballOf(name), 'package/package.json']);
      return JSON.parse(stdout) as Record<string, unknown>;
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

const requireFromTests = createRequire(join(root, 'test/package.json'));

/** The version of a package the tests use (for a consumer's registry dependencies: same version, no download). */
export async function workspaceVersion(name: string): Promise<string> {
  const manifest = JSON.parse(await readFile(requireFromTests.resolve(`${name}/package.json`), 'utf8'));
  return manifest.version as string;
}
