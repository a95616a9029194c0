// The contract suite against the reference server on PostgreSQL (a unique schema of the `test` database),
// over real HTTP.
import { defineLocalContractSuite } from './support/suite.js';
import { referenceServerTarget } from './targets/reference-server.js';

defineLocalContractSuite('reference server (PostgreSQL)', () =>
  referenceServerTarget({ engine: 'postgres' }),
);
