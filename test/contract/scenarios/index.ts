/**
 * Every scenario group of the contract suite, in the order they run.
 */
import type { ScenarioGroup } from '../support/scenario.js';
import { accessScenarios } from './access.js';
import { certificateScenarios } from './certificates.js';
import { domainRuleScenarios } from './domain-rules.js';
import { forwardingScenarios } from './forwarding.js';
import { httpScenarios } from './http.js';
import { mappingScenarios } from './mappings.js';
import { lifecycleScenarios, operationsScenarios } from './operations.js';
import { p12TestScenarios } from './p12-test.js';

export const allScenarioGroups: readonly ScenarioGroup[] = [
  lifecycleScenarios,
  certificateScenarios,
  mappingScenarios,
  domainRuleScenarios,
  forwardingScenarios,
  p12TestScenarios,
  operationsScenarios,
  accessScenarios,
  httpScenarios,
];
