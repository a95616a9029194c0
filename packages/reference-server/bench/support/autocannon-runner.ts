/**
 * The autocannon side of `load.ts`, in its own Node process (so the load does not share an event loop with
 * the benchmark): reads an {@link AutocannonJob} from the JSON file named by its first argument, runs it and
 * prints one `ACJSON {…}` line. With an `authorizationFile`, every request takes the next pre-signed
 * `Authorization` line (`setupRequest`), wrapping past the end (the gateway then answers 401 to the replays).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AutocannonJob } from './load.js';

interface AutocannonResult {
  requests: { total: number };
  latency: { p50: number; p99: number };
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
}
type RawRequest = { headers?: Record<string, string> } & Record<string, unknown>;
type Autocannon = (
  options: Record<string, unknown>,
  callback: (error: Error | null, result: AutocannonResult) => void,
) => unknown;

const job = JSON.parse(readFileSync(process.argv[2] as string, 'utf8')) as AutocannonJob;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

const authorizations = job.authorizationFile
  ? readFileSync(job.authorizationFile, 'utf8').split('\n').filter(Boolean)
  : undefined;
let sent = 0;

const request: Record<string, unknown> = {
  method: job.method,
  headers: job.headers,
  ...(job.bodyLength ? { body: Buffer.alloc(job.bodyLength, 0x62) } : {}),
};
const distinct = job.distinctHeader;
if (distinct) {
  request.setupRequest = (raw: RawRequest) => {
    sent += 1;
    return { ...raw, headers: { ...raw.headers, [distinct]: `${job.headers[distinct]}?n=${sent}` } };
  };
}
if (authorizations) {
  request.setupRequest = (raw: RawRequest) => {
    const authorization = authorizations[sent % authorizations.length] as string;
    sent += 1;
    return { ...raw, headers: { ...raw.headers, Authorization: authorization } };
  };
}

autocannon(
  {
    url: job.url,
    connections: job.connections,
    duration: job.durationS,
    timeout: job.timeoutS,
    requests: [request],
  },
  (error, result) => {
    if (error) {
      console.error(error);
      process.exit(1);
    }
    console.log(
      `ACJSON ${JSON.stringify({
        requests: result.requests.total,
        seconds: result.duration,
        p50: result.latency.p50,
        p99: result.latency.p99,
        errors: result.errors,
        non2xx: result.non2xx,
        sent,
      })}`,
    );
  },
);
