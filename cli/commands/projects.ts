// project create, projects, features, work-items.
import { readFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { graphql, type Session } from '../api.js';
import { usageError } from '../errors.js';
import { print, table, type OutputOptions } from '../output.js';
import { listProjects, resolveProject, type ProjectSummary } from '../projects.js';

type Globals = () => Promise<{ session: Session; output: OutputOptions }>;

/** A quickstart app_spec.txt names its project in <project_name>; otherwise its folder does. */
function nameFromSpec(spec: string, path: string): string {
  const tagged = /<project_name>\s*([^<]{1,100}?)\s*<\/project_name>/i.exec(spec)?.[1];
  if (tagged) return tagged;
  const folder = basename(dirname(resolve(path)));
  return folder && folder !== '/' ? folder : 'app';
}

/** Page sizes under the server's query cost limit. */
const PAGE_SIZE = { features: 100, workItems: 40 };

/** Every node of one of a project's connections, a page at a time (the server caps each request's cost). */
async function allPages<T>(session: Session, projectId: string, connection: 'features' | 'workItems', fields: string): Promise<T[]> {
  const nodes: T[] = [];
  let after: string | null = null;
  for (;;) {
    type Page = { project: Record<string, { edges: Array<{ node: T }>; pageInfo: { hasNextPage: boolean; endCursor: string | null } }> };
    const page: Page = await graphql<Page>(
      session,
      `query($id: ID!, $after: String) { project(id: $id) { ${connection}(first: ${PAGE_SIZE[connection]}, after: $after) { edges { node { ${fields} } } pageInfo { hasNextPage endCursor } } } }`,
      { id: projectId, after },
    );
    const { edges, pageInfo } = page.project[connection]!;
    nodes.push(...edges.map((e) => e.node));
    if (!pageInfo.hasNextPage) return nodes;
    after = pageInfo.endCursor;
  }
}

/** `<name> <project>`: resolves the project named on the command line, then runs the action on it. */
function projectCommand(
  program: Command,
  globals: Globals,
  name: string,
  description: string,
  action: (target: ProjectSummary, session: Session, output: OutputOptions) => Promise<void>,
): void {
  program
    .command(`${name} <project>`)
    .description(description)
    .action(async (ref: string) => {
      const { session, output } = await globals();
      await action(await resolveProject(session, ref), session, output);
    });
}

export function registerProjects(program: Command, globals: Globals): void {
  const project = program.command('project').description('Manage a project');
  project
    .command('create')
    .description('Create a project, usually from an app_spec.txt')
    .option('--name <name>', 'project name (default: <project_name> in the spec, or its folder)')
    .option('--spec <file>', 'app spec file (e.g. app_spec.txt)')
    .option('--description <text>', 'short description')
    .action(async (opts: { name?: string; spec?: string; description?: string }) => {
      const { session, output } = await globals();
      let appSpec: string | undefined;
      if (opts.spec) {
        try {
          appSpec = await readFile(opts.spec, 'utf8');
        } catch (error) {
          throw usageError(`Cannot read the spec file ${opts.spec}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
        }
      }
      const name = opts.name ?? (appSpec !== undefined ? nameFromSpec(appSpec, opts.spec!) : undefined);
      if (!name) throw usageError('Give the project a --name (or a --spec to take it from).');
      const { createProject } = await graphql<{ createProject: { id: string; name: string; slug: string } }>(
        session,
        `mutation($input: CreateProjectInput!) { createProject(input: $input) { id name slug } }`,
        { input: { name, appSpec, description: opts.description } },
      );
      print(output, createProject, () => `Created project ${createProject.name} (${createProject.slug}, id ${createProject.id}).\nNext: shipyard run start ${createProject.slug} --follow`);
    });

  program
    .command('projects')
    .description('List your projects')
    .action(async () => {
      const { session, output } = await globals();
      const projects = await listProjects(session);
      print(output, projects, () =>
        projects.length
          ? table([['SLUG', 'NAME', 'FEATURES', 'ROLE'], ...projects.map((p) => [p.slug, p.name, `${p.featureStats.passing}/${p.featureStats.total}`, p.viewerRole ?? ''])])
          : 'No projects yet: shipyard project create --spec app_spec.txt',
      );
    });

  projectCommand(program, globals, 'features', "A project's features, passing and failing", async (target, session, output) => {
    const { project } = await graphql<{ project: { featureStats: { total: number; passing: number } } }>(
      session,
      `query($id: ID!) { project(id: $id) { featureStats { total passing } } }`,
      { id: target.id },
    );
    const features = await allPages<{ index: number; category: string; description: string; passes: boolean }>(session, target.id, 'features', 'index category description passes');
    print(output, { project: target.slug, ...project.featureStats, features }, () =>
      features.length
        ? table([['#', 'STATUS', 'CATEGORY', 'DESCRIPTION'], ...features.map((f) => [String(f.index), f.passes ? 'passing' : 'failing', f.category, f.description])]) +
          `\n${project.featureStats.passing}/${project.featureStats.total} passing`
        : 'No features yet (the first run writes feature_list.json).',
    );
  });

  projectCommand(program, globals, 'work-items', "A project's work items", async (target, session, output) => {
    const items = await allPages<{ key: string; type: string; status: string; priority: string; title: string }>(session, target.id, 'workItems', 'id key type status priority title');
    print(output, items, () =>
      items.length ? table([['KEY', 'TYPE', 'STATUS', 'PRIORITY', 'TITLE'], ...items.map((w) => [w.key, w.type, w.status, w.priority, w.title])]) : 'No work items.',
    );
  });
}
