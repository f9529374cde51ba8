// shipyard/client: the framework-agnostic client library.
export { createShipyardClient, type ShipyardClientOptions, type Transport } from './create-client.js';
export { followRun, FollowRunError, type FollowRunOptions, type RunEvent } from './follow-run.js';
export { applyFeatureEvent, featureStates, progressOf, type FeatureStates, type FeatureStatsLike, type Progress } from './progress.js';
export { loadFeatureStates } from './feature-states.js';
export * from './generated/graphql.js';
export { graphql } from './generated/gql.js';
