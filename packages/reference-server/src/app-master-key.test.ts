import { randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { createGatewayContext } from './app.js';
import { createLogger } from './http/logging.js';
import { testConfig } from './http/testing/test-app.js';
import { MasterKeyMismatchError } from './secrets/errors.js';

// createGatewayContext opening its own database (as `serve` does) refuses a master key that does not open
// what the database holds, before it migrates anything or generates a key file.

const logger = createLogger({ level: 'silent' });

describe('createGatewayContext with the wrong master key', () => {
  it('refuses a different MTLS_MASTER_KEY, and a missing key, once the database holds sealed secrets', async () => {
    const prepared = await testConfig();
    try {
      const first = await createGatewayContext(prepared.config, { logger });
      await first.auth.credentials.create({ accounts: ['*'], permissions: ['MTLS_READ_INTERNAL'] });
      await first.close();

      const wrongKey = randomBytes(32).toString('base64');
      const refused = await createGatewayContext(
        { ...prepared.config, masterKey: wrongKey },
        { logger },
      ).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(refused).toBeInstanceOf(MasterKeyMismatchError);
      expect((refused as Error).message).toMatch(
        /^MTLS_MASTER_KEY does not open the secrets stored in this database: 1 OAuth consumer secret is sealed/,
      );

      const filesBefore = (await readdir(prepared.config.dataDir)).sort();
      const missing = await createGatewayContext(
        { ...prepared.config, masterKey: undefined },
        { logger },
      ).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(missing).toBeInstanceOf(MasterKeyMismatchError);
      expect((missing as Error).message).toContain('Restore the master.key file');
      expect((await readdir(prepared.config.dataDir)).sort()).toEqual(filesBefore);

      const again = await createGatewayContext(prepared.config, { logger });
      await again.close();
    } finally {
      await prepared.cleanup();
    }
  }, 60_000);
});
