// feature_list.json: the quickstart's JSON array of {category, description, steps[], passes}. Identity is the array
// index; the content hash covers what an agent may never change (category, description, steps).
import { createHash } from 'node:crypto';

export interface FeatureEntry {
  category: string;
  description: string;
  steps: string[];
  passes: boolean;
}

export const FEATURE_LIST_FILE = 'feature_list.json';
/** The largest feature_list.json the platform reads (the API's sync and the worker's guard). */
export const MAX_FEATURE_LIST_BYTES = 5 * 1024 * 1024;
const MAX_ENTRIES = 10_000;
const MAX_TEXT = 10_000;

export class FeatureListError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FeatureListError';
  }
}

/** Parses and validates feature_list.json text; throws FeatureListError naming the entry index and field. */
export function parseFeatureList(text: string): FeatureEntry[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new FeatureListError(`${FEATURE_LIST_FILE} is not valid JSON: ${(error as Error).message}`);
  }
  if (!Array.isArray(data)) throw new FeatureListError(`${FEATURE_LIST_FILE} must be a JSON array of features, got ${describe(data)}.`);
  if (data.length > MAX_ENTRIES) throw new FeatureListError(`${FEATURE_LIST_FILE} has ${data.length} entries; the limit is ${MAX_ENTRIES}.`);
  return data.map((raw, index) => parseEntry(raw, index));
}

function parseEntry(raw: unknown, index: number): FeatureEntry {
  const where = `${FEATURE_LIST_FILE} entry ${index}`;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new FeatureListError(`${where} must be an object, got ${describe(raw)}.`);
  const entry = raw as Record<string, unknown>;
  const text = (field: 'category' | 'description') => {
    const value = entry[field];
    if (typeof value !== 'string') throw new FeatureListError(`${where}: "${field}" must be a string, got ${describe(value)}.`);
    if (!value.trim()) throw new FeatureListError(`${where}: "${field}" must not be empty.`);
    if (value.length > MAX_TEXT) throw new FeatureListError(`${where}: "${field}" is longer than ${MAX_TEXT} characters.`);
    return value;
  };
  const category = text('category');
  const description = text('description');
  const steps = entry.steps;
  if (!Array.isArray(steps)) throw new FeatureListError(`${where}: "steps" must be an array of strings, got ${describe(steps)}.`);
  steps.forEach((step, i) => {
    if (typeof step !== 'string') throw new FeatureListError(`${where}: "steps[${i}]" must be a string, got ${describe(step)}.`);
    if (step.length > MAX_TEXT) throw new FeatureListError(`${where}: "steps[${i}]" is longer than ${MAX_TEXT} characters.`);
  });
  if (typeof entry.passes !== 'boolean') throw new FeatureListError(`${where}: "passes" must be true or false, got ${describe(entry.passes)}.`);
  return { category, description, steps: steps as string[], passes: entry.passes };
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing (missing)';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${JSON.stringify(value).slice(0, 40)}`;
}

/** SHA-256 over category, description and steps (not passes), unambiguous thanks to JSON encoding. */
export function featureContentHash(entry: Pick<FeatureEntry, 'category' | 'description' | 'steps'>): string {
  return createHash('sha256').update(JSON.stringify([entry.category, entry.description, entry.steps])).digest('hex');
}
