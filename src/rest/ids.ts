// REST accepts ids as raw UUIDs and as GraphQL global ids; GraphQL takes global ids only. A raw UUID is turned into
// the global id of the type the field names; anything else goes through unchanged (GraphQL rejects a malformed one).
import { encodeGlobalID } from '@pothos/plugin-relay';
import { isUuid } from '../schema/uuid.js';

export type NodeType = 'Project' | 'AgentRun' | 'Agent' | 'WorkItem' | 'Feature';

/** Body fields holding ids, by name, and the type they name. */
const ID_FIELDS: Record<string, NodeType> = {
  projectId: 'Project',
  agentId: 'Agent',
  workItemId: 'WorkItem',
  parentId: 'WorkItem',
  assigneeAgentId: 'Agent',
  featureIds: 'Feature',
};

export const toGlobalId = (type: NodeType, id: string): string => (isUuid(id) ? encodeGlobalID(type, id) : id);

/** A copy of a JSON body with its id fields (ID_FIELDS) as global ids. */
export function globalizeIds(body: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...body };
  for (const [field, type] of Object.entries(ID_FIELDS)) {
    const value = out[field];
    if (typeof value === 'string') out[field] = toGlobalId(type, value);
    else if (Array.isArray(value)) out[field] = value.map((v) => (typeof v === 'string' ? toGlobalId(type, v) : v));
  }
  return out;
}
