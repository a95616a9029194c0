// The contract suite against the MSW mock in-process (requests intercepted by msw/node), then the negative
// tests generated from the spec (see test/README.md).
import { defineNegativeTests } from './support/negative-tests.js';
import { defineLocalContractSuite } from './support/suite.js';
import { mswMockTarget } from './targets/mocks.js';

defineLocalContractSuite('MSW mock (in-process)', () => mswMockTarget(), { extend: defineNegativeTests });
