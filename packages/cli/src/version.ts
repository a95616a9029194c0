/**
 * Version of the CLI (kept equal to package.json's by a test).
 *
 * @example
 * ```ts
 * console.log(`mtls ${cliVersion}`);
 * ```
 */
export const cliVersion = '0.1.0';
