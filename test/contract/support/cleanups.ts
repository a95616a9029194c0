/**
 * Stopping a target: its cleanups run in order, each bounded in time. One that hangs (e.g. a server whose
 * close waits for a connection it never ends) is reported by name, and the others still run.
 */

/** A named cleanup. */
export type Cleanup = [label: string, run: () => Promise<unknown>];

/** How long one cleanup may take. */
export const CLEANUP_TIMEOUT_MS = 15_000;

/**
 * Runs the cleanups in order.
 *
 * @throws {Error} naming every cleanup that did not finish in time.
 */
export async function runCleanups(cleanups: readonly Cleanup[]): Promise<void> {
  const stuck: string[] = [];
  for (const [label, cleanup] of cleanups) {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), CLEANUP_TIMEOUT_MS);
    });
    const outcome = await Promise.race([cleanup().catch(() => undefined), timedOut]);
    clearTimeout(timer);
    if (outcome === 'timeout') stuck.push(label);
  }
  if (stuck.length > 0) throw new Error(`Stopping the target hung on: ${stuck.join(', ')}`);
}
