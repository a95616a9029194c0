// The contract suite against Prism mocking the bundled spec: only the scenarios that hold for a stateless
// mock answering the spec's examples run; every other one is skipped with the reason (see test/README.md).
import { defineLocalContractSuite } from './support/suite.js';
import { prismMockTarget } from './targets/mocks.js';

defineLocalContractSuite('Prism mock', () => prismMockTarget());
