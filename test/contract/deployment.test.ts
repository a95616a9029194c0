// The contract suite against a deployment: runs only when MTLS_CONTRACT_BASE_URL, MTLS_CONTRACT_ACCOUNT and
// MTLS_CONTRACT_TOKEN are set, and then it is the only target (nothing is started; see test/README.md).
import { describe, test } from 'vitest';
import { defineContractSuite } from './support/suite.js';
import { deploymentMode } from './support/target.js';
import { deploymentTarget } from './targets/deployment.js';

if (deploymentMode) {
  defineContractSuite(deploymentTarget());
} else {
  describe('deployment', () => {
    test.skip('set MTLS_CONTRACT_BASE_URL, MTLS_CONTRACT_ACCOUNT and MTLS_CONTRACT_TOKEN to check a deployment', () => {});
  });
}
