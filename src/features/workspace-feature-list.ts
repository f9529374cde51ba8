// Reading a project's feature_list.json from its workspace for the API's sync: every problem is a BAD_USER_INPUT
// naming it (the file is written by agents, so no symlink is followed and nothing past the size limit is read).
import { readWorkspaceFile, UnsafePathError } from '../files/safe-open.js';
import { badInput } from '../errors.js';
import { FEATURE_LIST_FILE, FeatureListError, MAX_FEATURE_LIST_BYTES, parseFeatureList, type FeatureEntry } from './feature-list.js';

/** Reads and validates the workspace's feature_list.json. */
export function readWorkspaceFeatureList(workspacePath: string): FeatureEntry[] {
  let bytes: Buffer | 'missing' | 'too-large';
  try {
    bytes = readWorkspaceFile(workspacePath, FEATURE_LIST_FILE, MAX_FEATURE_LIST_BYTES);
  } catch (error) {
    if (error instanceof UnsafePathError) throw badInput(`${FEATURE_LIST_FILE} cannot be read: ${error.message}`);
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') bytes = 'missing';
    else throw error;
  }
  if (bytes === 'missing') throw badInput(`The project's workspace has no ${FEATURE_LIST_FILE} yet (the initializer agent writes it).`);
  if (bytes === 'too-large') throw badInput(`${FEATURE_LIST_FILE} is larger than the limit of ${MAX_FEATURE_LIST_BYTES} bytes.`);
  try {
    return parseFeatureList(bytes.toString('utf8'));
  } catch (error) {
    if (error instanceof FeatureListError) throw badInput(error.message, FEATURE_LIST_FILE);
    throw error;
  }
}
