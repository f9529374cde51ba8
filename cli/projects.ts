// Naming a project on the command line: by id (global or UUID), slug or name.
import { graphql, type Session } from './api.js';
import { CliError, EXIT, usageError } from './errors.js';

export interface ProjectSummary {
  id: string;
  name: string;
  slug: string;
  viewerRole: string | null;
  featureStats: { total: number; passing: number };
}

const PROJECT_FIELDS = 'id name slug viewerRole featureStats { total passing }';

export async function listProjects(session: Session): Promise<ProjectSummary[]> {
  const all: ProjectSummary[] = [];
  let after: string | null = null;
  for (;;) {
    const { projects }: { projects: { edges: Array<{ node: ProjectSummary }>; pageInfo: { hasNextPage: boolean; endCursor: string | null } } } =
      await graphql(session, `query($after: String) { projects(first: 100, after: $after) { edges { node { ${PROJECT_FIELDS} } } pageInfo { hasNextPage endCursor } } }`, {
        after,
      });
    all.push(...projects.edges.map((e) => e.node));
    if (!projects.pageInfo.hasNextPage) return all;
    after = projects.pageInfo.endCursor;
  }
}

const rawId = (globalId: string) => {
  try {
    return Buffer.from(globalId, 'base64').toString('utf8').split(':')[1] ?? '';
  } catch {
    return '';
  }
};

export async function resolveProject(session: Session, ref: string): Promise<ProjectSummary> {
  if (!ref.trim()) throw usageError('Name a project: its id, slug or name.');
  const projects = await listProjects(session);
  const lower = ref.toLowerCase();
  const byId = projects.find((p) => p.id === ref || rawId(p.id) === lower || p.slug.toLowerCase() === lower);
  if (byId) return byId;
  const byName = projects.filter((p) => p.name === ref);
  const candidates = byName.length ? byName : projects.filter((p) => p.name.toLowerCase() === lower);
  if (candidates.length === 1) return candidates[0]!;
  if (candidates.length > 1) throw usageError(`${candidates.length} projects are named "${ref}": use a slug (${candidates.map((p) => p.slug).join(', ')}).`);
  throw new CliError(`No project "${ref}" among yours (see \`shipyard projects\`).`, EXIT.failed);
}
