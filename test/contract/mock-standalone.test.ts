// The contract suite against the standalone mock (`mtls-mock`) over real HTTP on loopback.
import { defineLocalContractSuite } from './support/suite.js';
import { standaloneMockTarget } from './targets/mocks.js';

defineLocalContractSuite('standalone mock (HTTP)', () => standaloneMockTarget());
