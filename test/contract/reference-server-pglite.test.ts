// The contract suite against the reference server on PGlite, over real HTTP; then the negative tests
// generated from the spec and the coverage table of (operation, status) pairs (see test/README.md).
import { defineCoverageCheck } from './support/coverage-test.js';
import { defineNegativeTests } from './support/negative-tests.js';
import { defineLocalContractSuite } from './support/suite.js';
import { referenceServerTarget } from './targets/reference-server.js';

defineLocalContractSuite('reference server (PGlite)', () => referenceServerTarget({ engine: 'pglite' }), {
  extend: (suite) => {
    defineNegativeTests(suite);
    defineCoverageCheck(suite);
  },
});
