// The contract suite through `prism proxy --errors` in front of the reference server (PGlite): Prism checks
// every request and answer against the spec too, and an answer with `sl-violations` fails the test.
import { defineLocalContractSuite } from './support/suite.js';
import { referenceServerTarget } from './targets/reference-server.js';

defineLocalContractSuite('reference server (PGlite) behind prism proxy --errors', () =>
  referenceServerTarget({ engine: 'pglite', prismProxy: true }),
);
