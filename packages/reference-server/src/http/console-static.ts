import { createHash } from 'node:crypto';
import { readFile, realpath, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { InvalidRequestError, NotFoundError, UnavailableError } from '../errors.js';
import type { GatewayRoutePlugin } from './context.js';
import { sendProblem } from './problem.js';

/**
 * The certificate console (`@mtls-gateway/console`, a browser app) served as static files from its built
 * `dist/` at {@link CONSOLE_PATH}. No credentials: the page signs in itself and calls the API with a Bearer
 * token. Everything it loads comes from this origin, under {@link CONSOLE_CSP}.
 */
export const CONSOLE_PATH = '/console/';

/**
 * Only this origin, for everything: scripts, styles, images, fonts and API calls. No inline script or style,
 * no framing, no form posted anywhere (the console's forms never submit).
 */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * `buildApp` refuses routes without an operationId; the console's files are no API operation, so this id
 * names none of the spec (the request carries no operation: metrics count it as `unmatched`).
 */
const CONSOLE_ROUTE_ID = 'console';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};

const COMPRESSIBLE = new Set([
  '.html',
  '.js',
  '.mjs',
  '.css',
  '.json',
  '.map',
  '.svg',
  '.txt',
  '.webmanifest',
]);

/** Vite's output names: `assets/<name>-<hash>.<ext>` — their content never changes under that name. */
const HASHED_ASSET = /^assets\/[^/]+-[A-Za-z0-9_-]{8,}\.[a-z0-9]+$/;

/** Where the console's build is, resolved through the installed package (`undefined` if it is not installed). */
export function defaultConsoleDistDir(): string | undefined {
  try {
    const manifest = createRequire(import.meta.url).resolve('@mtls-gateway/console/package.json');
    return path.join(path.dirname(manifest), 'dist');
  } catch {
    return undefined;
  }
}

/** Options of {@link createConsoleRoutes}. */
export interface ConsoleRoutesOptions {
  /** The built console (default: `MTLS_CONSOLE_DIR`, else the `dist/` of the installed `@mtls-gateway/console`). */
  distDir?: string | undefined;
}

interface CachedFile {
  key: string;
  body: Buffer;
  gzipped: Buffer | undefined;
  etag: string;
}

/**
 * The file a request path names under `/console/`, as path segments, or an error saying why it names none.
 * The raw (still percent-encoded) path is decoded segment by segment, so an encoded `/`, `\`, `.` or `..`
 * cannot build a path the router never saw.
 */
export function consoleFileSegments(rawPath: string): string[] | InvalidRequestError {
  const relative = rawPath.slice(CONSOLE_PATH.length);
  if (relative === '') return ['index.html'];
  const refuse = (message: string) =>
    new InvalidRequestError(
      `The path ${rawPath.length > 200 ? `${rawPath.slice(0, 200)}…` : rawPath} names no file of the console: ${message}.`,
      [{ location: 'path', name: 'path', message }],
    );
  const segments: string[] = [];
  for (const encoded of relative.split('/')) {
    let segment: string;
    try {
      segment = decodeURIComponent(encoded);
    } catch {
      return refuse('it is not valid percent-encoding');
    }
    if (segment === '' || segment === '.' || segment === '..')
      return refuse('empty, . and .. segments are refused');
    if (/[/\\\0]/.test(segment)) return refuse('encoded slashes, backslashes and NUL are refused');
    if (segment.startsWith('.')) return refuse('hidden files are not served');
    segments.push(segment);
  }
  return segments;
}

/**
 * The console's routes: `GET /console` redirects to `/console/`, `GET /console/` is its `index.html` and
 * `GET /console/<file>` a file of its build. Hashed assets are cached for a year (immutable); `index.html`
 * and other files are revalidated (`no-cache` + ETag). A console that is not built is a 503 problem.
 *
 * @example
 * ```ts
 * const app = await buildApp(config, { routes: [...createDefaultRoutePlugins()] }); // includes the console
 * const appWithTestBuild = await buildApp(config, { routes: [createConsoleRoutes({ distDir })] });
 * ```
 */
export function createConsoleRoutes(options: ConsoleRoutesOptions = {}): GatewayRoutePlugin {
  return (app, context) => {
    const distDir = options.distDir ?? context.config.consoleDir ?? defaultConsoleDistDir();
    const cache = new Map<string, CachedFile>();
    let warned = false;

    const notBuilt = (request: FastifyRequest, reply: FastifyReply) => {
      if (!warned) {
        warned = true;
        context.logger.warn({ distDir }, 'The console is not built: /console/ answers 503.');
      }
      return sendProblem(
        request,
        reply,
        new UnavailableError(
          'The console is not built on this server. Build it with `pnpm --filter @mtls-gateway/console build` ' +
            '(or `pnpm -r build`); the API itself works.',
        ),
      );
    };

    async function load(
      file: string,
      size: number,
      mtimeMs: number,
      compressible: boolean,
    ): Promise<CachedFile> {
      const key = `${size}:${mtimeMs}`;
      const cached = cache.get(file);
      if (cached?.key === key) return cached;
      const body = await readFile(file);
      const entry: CachedFile = {
        key,
        body,
        gzipped: compressible && body.length > 1024 ? await promisify(gzip)(body) : undefined,
        etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`,
      };
      cache.set(file, entry);
      return entry;
    }

    app.route({
      method: ['GET', 'HEAD'],
      url: '/console',
      config: { operationId: CONSOLE_ROUTE_ID },
      handler: async (_request, reply) => reply.code(308).header('location', CONSOLE_PATH).send(),
    });

    app.route({
      method: ['GET', 'HEAD'],
      url: `${CONSOLE_PATH}*`,
      config: { operationId: CONSOLE_ROUTE_ID },
      handler: async (request, reply) => {
        const rawPath = request.url.split('?')[0] ?? '';
        const segments = consoleFileSegments(rawPath);
        if (segments instanceof InvalidRequestError) return sendProblem(request, reply, segments);
        if (!distDir) return notBuilt(request, reply);
        let root: string;
        try {
          root = await realpath(distDir);
          await stat(path.join(root, 'index.html'));
        } catch {
          return notBuilt(request, reply);
        }
        const missing = () =>
          sendProblem(
            request,
            reply,
            new NotFoundError(
              `The console has no file ${segments.join('/')}. Open ${CONSOLE_PATH} to start it.`,
            ),
          );
        let file: string;
        let info: Awaited<ReturnType<typeof stat>>;
        try {
          // realpath: a link inside dist/ must not lead out of it either.
          file = await realpath(path.join(root, ...segments));
          info = await stat(file);
        } catch {
          return missing();
        }
        if (!file.startsWith(root + path.sep) || !info.isFile()) return missing();

        const relative = segments.join('/');
        const extension = path.extname(file).toLowerCase();
        const entry = await load(file, info.size, info.mtimeMs, COMPRESSIBLE.has(extension));
        reply
          .type(CONTENT_TYPES[extension] ?? 'application/octet-stream')
          .header('content-security-policy', CONSOLE_CSP)
          .header('x-content-type-options', 'nosniff')
          .header('referrer-policy', 'no-referrer')
          .header('cross-origin-resource-policy', 'same-origin')
          .header(
            'cache-control',
            HASHED_ASSET.test(relative) ? 'public, max-age=31536000, immutable' : 'no-cache',
          )
          .header('etag', entry.etag)
          .header('vary', 'accept-encoding');
        const ifNoneMatch = request.headers['if-none-match'];
        if (ifNoneMatch?.split(',').some((tag) => tag.trim().replace(/^W\//, '') === entry.etag)) {
          return reply.code(304).send();
        }
        const gzipped = entry.gzipped && /\bgzip\b/.test(request.headers['accept-encoding'] ?? '');
        if (gzipped) reply.header('content-encoding', 'gzip');
        return reply.send(gzipped ? entry.gzipped : entry.body);
      },
    });
  };
}
