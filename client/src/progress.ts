// Feature progress of a project: the feature rows as last loaded (index → passes), with FEATURE events applied on
// top. Applying an event is idempotent (keyed by index), so replaying a run's history over fresh rows is harmless.
import type { RunEventFieldsFragment as RunEvent } from './generated/graphql.js';

export interface Progress {
  total: number;
  passing: number;
  failing: number;
  /** passing / total, 0 when there are no features yet. */
  ratio: number;
}

export type FeatureStates = ReadonlyMap<number, boolean>;

export interface FeatureStatsLike {
  total: number;
  passing: number;
}

export function featureStates(features: Iterable<{ index: number; passes: boolean }>): Map<number, boolean> {
  return new Map([...features].map((f) => [f.index, f.passes]));
}

/** Returns `states` with one FEATURE event applied (the same map when the event is not a FEATURE event). */
export function applyFeatureEvent(states: FeatureStates, event: Pick<RunEvent, 'data'>): FeatureStates {
  const data = event.data;
  if (data?.__typename !== 'FeatureEvent') return states;
  if (states.get(data.index) === data.passes) return states;
  return new Map(states).set(data.index, data.passes);
}

/** Progress from the per-feature states; `stats` (Project.featureStats) stands in while no rows are known. */
export function progressOf(states: FeatureStates, stats?: FeatureStatsLike | null): Progress {
  let total = states.size;
  let passing = 0;
  for (const passes of states.values()) if (passes) passing++;
  if (total === 0 && stats) ({ total, passing } = stats);
  return { total, passing, failing: total - passing, ratio: total ? passing / total : 0 };
}
