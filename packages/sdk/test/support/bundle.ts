/**
 * Bundles an entry of the SDK as a consumer's bundler would: one minified ES module. Workspace packages
 * (`@mtls-gateway/contract`) resolve to their TypeScript sources, as everywhere in the tests, so no build is
 * needed first. Used by the bundle budget and the minified error names tests.
 */
import { build } from 'rolldown';

/** The export condition naming a workspace package's TypeScript sources. */
const SOURCE_CONDITION = '@mtls-gateway/source';

/**
 * The single chunk of `input` bundled and minified for `platform`; `external` imports are left as they are.
 *
 * @example
 * ```ts
 * const { code, imports } = await bundleEntry(join(packageDir, 'src/index.ts'));
 * ```
 */
export async function bundleEntry(
  input: string,
  options: { platform?: 'browser' | 'node'; external?: Array<string | RegExp> } = {},
): Promise<{ code: string; imports: string[] }> {
  const platform = options.platform ?? 'browser';
  const { output } = await build({
    input,
    platform,
    write: false,
    logLevel: 'silent',
    resolve: { conditionNames: [SOURCE_CONDITION, platform, 'import', 'default'] },
    ...(options.external === undefined ? {} : { external: options.external }),
    output: { format: 'esm', minify: true },
  });
  const [chunk, ...rest] = output;
  if (chunk?.type !== 'chunk' || rest.length > 0) throw new Error(`expected one chunk for ${input}`);
  return { code: chunk.code, imports: chunk.imports };
}
