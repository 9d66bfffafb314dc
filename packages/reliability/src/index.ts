// @deploy-actions/reliability: every action's bundle under seeded faults and cancellation, compared with a
// fault-free baseline (issue #16). The tests are in test/; these are their parts.
export { type EndState, readEndState } from './end-state';
export { compareOutcomes, errorsOf, normaliseOutputs, type Outcome, shapeOf } from './outcome';
export { type FaultProfile, runCount, seeds, soakFaults } from './profile';
export { median, recordFigures, type ScenarioFigures } from './report';
export { runScenario, type ScenarioRun } from './run';
export * from './scenarios';
export { buildPushEcr, tagReleaseDeploy } from './scenarios-registry';
