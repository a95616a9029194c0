/**
 * Reads a V8 `.cpuprofile` (what `node --cpu-prof` writes) and lists the functions with the most self time —
 * a first look without opening the profile in Chrome DevTools or speedscope.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
}

export interface SelfTimeRow {
  name: string;
  /** `file:line` (shortened to the package path), or `(native)`. */
  location: string;
  selfMs: number;
  /** Share of the busy (non-idle) samples. */
  share: number;
}

/** Shortens `file:///…/node_modules/.pnpm/fastify@5/node_modules/fastify/lib/x.js` to `fastify/lib/x.js`. */
function shortLocation(url: string, line: number): string {
  if (!url) return '(native)';
  let file = url.replace(/^file:\/\//, '');
  const modules = file.lastIndexOf('/node_modules/');
  if (modules >= 0) file = file.slice(modules + '/node_modules/'.length);
  else {
    const packages = file.indexOf('/packages/');
    if (packages >= 0) file = file.slice(packages + '/packages/'.length);
    else if (!file.startsWith('node:')) file = path.basename(file);
  }
  return `${file}:${line + 1}`;
}

/** Where a function comes from: an npm package, a workspace package, Node's own JavaScript, or native. */
function packageOf(functionName: string, url: string): string {
  if (functionName.startsWith('(')) return functionName;
  if (!url) return '(native: syscalls, crypto, parsers)';
  if (url.startsWith('wasm://')) return '(WebAssembly: PGlite)';
  if (url.startsWith('node:')) return 'node: (Node.js JavaScript)';
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0) {
    const [first = '', second = ''] = url.slice(modules + '/node_modules/'.length).split('/');
    return first.startsWith('@') ? `${first}/${second}` : first;
  }
  const workspace = /\/packages\/([^/]+)\//.exec(url);
  if (workspace) return `@mtls-gateway/${workspace[1]}`;
  return path.basename(url);
}

export interface ProfileSummary {
  rows: SelfTimeRow[];
  /** Self time summed by package, busiest first. */
  packages: Array<{ name: string; selfMs: number; share: number }>;
  totalMs: number;
  idleMs: number;
  gcMs: number;
  programMs: number;
}

/** The `top` functions by self time, self time by package, and the idle / GC / program totals. */
export async function topSelfTime(file: string, top = 20): Promise<ProfileSummary> {
  const profile = JSON.parse(await readFile(file, 'utf8')) as CpuProfile;
  const totalSamples =
    profile.samples?.length ?? profile.nodes.reduce((sum, node) => sum + (node.hitCount ?? 0), 0);
  const totalMs = (profile.endTime - profile.startTime) / 1000;
  const msPerSample = totalSamples > 0 ? totalMs / totalSamples : 0;
  const byFunction = new Map<string, { name: string; location: string; samples: number }>();
  const byPackage = new Map<string, number>();
  let idle = 0;
  let gc = 0;
  let program = 0;
  for (const node of profile.nodes) {
    const hits = node.hitCount ?? 0;
    if (hits === 0) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)') idle += hits;
    else if (functionName === '(garbage collector)') gc += hits;
    else if (functionName === '(program)') program += hits;
    if (functionName !== '(idle)') {
      const owner = packageOf(functionName, url);
      byPackage.set(owner, (byPackage.get(owner) ?? 0) + hits);
    }
    const name = functionName || '(anonymous)';
    const location = shortLocation(url, lineNumber);
    const key = `${name}\u0000${location}`;
    const entry = byFunction.get(key) ?? { name, location, samples: 0 };
    entry.samples += hits;
    byFunction.set(key, entry);
  }
  const busy = Math.max(1, totalSamples - idle);
  const rows = [...byFunction.values()]
    .filter((entry) => entry.name !== '(idle)')
    .sort((a, b) => b.samples - a.samples)
    .slice(0, top)
    .map((entry) => ({
      name: entry.name,
      location: entry.location,
      selfMs: entry.samples * msPerSample,
      share: entry.samples / busy,
    }));
  const packages = [...byPackage]
    .sort((a, b) => b[1] - a[1])
    .map(([name, samples]) => ({ name, selfMs: samples * msPerSample, share: samples / busy }));
  return {
    rows,
    packages,
    totalMs,
    idleMs: idle * msPerSample,
    gcMs: gc * msPerSample,
    programMs: program * msPerSample,
  };
}
