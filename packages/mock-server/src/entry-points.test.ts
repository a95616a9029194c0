// `.` and `./browser` must load in browsers: no Node.js built-in anywhere in their import graphs.
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { expect, test } from 'vitest';

const IMPORT = /(?:^|\n)\s*(?:import|export)\s(?:[^'"]*?\sfrom\s)?['"]([^'"]+)['"]/g;
const nodeBuiltins = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));

/** Every bare specifier imported by `entry` and the local modules it imports, transitively. */
function externalImports(entry: string): Set<string> {
  const seen = new Set<string>();
  const external = new Set<string>();
  const visit = (file: URL) => {
    if (seen.has(file.href)) return;
    seen.add(file.href);
    for (const [, specifier = ''] of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      if (specifier.startsWith('.')) {
        if (!specifier.endsWith('.json')) visit(new URL(specifier.replace(/\.js$/, '.ts'), file));
      } else external.add(specifier);
    }
  };
  visit(new URL(entry, import.meta.url));
  return external;
}

test.each(['./index.ts', './browser.ts'])('%s imports no Node.js built-in', (entry) => {
  const imports = [...externalImports(entry)];
  expect(imports.length).toBeGreaterThan(0);
  expect(imports.filter((specifier) => nodeBuiltins.has(specifier))).toEqual([]);
  expect(imports).not.toContain('msw/node');
});

test('./node is where the Node.js parts are', () => {
  expect([...externalImports('./node.ts')]).toEqual(expect.arrayContaining(['msw/node', 'node:http']));
});

test('the main entry exports handlers, state, scenarios and helpers', async () => {
  const entry = await import('./index.js');
  for (const name of [
    'createMockHandlers',
    'createMockState',
    'echoUpstream',
    'createTestP12',
    'SpecValidator',
    'coverageReport',
    'persistMockState',
    'readMockSnapshot',
    'MockClock',
    'parseDuration',
    'unhandledRequestWithoutBody',
  ]) {
    expect(entry).toHaveProperty(name);
  }
});
