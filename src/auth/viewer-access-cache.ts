// What one request has learnt about its viewer's access: made with the request (contextFor), dropped with it, so a
// membership change is seen by the next request. The lookups themselves live in ./membership.ts.
import type { ProjectRole } from '../generated/prisma/client.js';

export class ViewerAccessCache {
  /** The viewer's role by project id: the lookup, pending or answered. */
  private readonly roles = new Map<string, Promise<ProjectRole | null>>();
  /** The roles that have answered, so a check on every row of a list needs no promise. */
  private readonly settledRoles = new Map<string, ProjectRole | null>();
  /** Whether the viewer shares a project with a user, by user id. */
  private readonly coMembers = new Map<string, Promise<boolean>>();

  /** The role in a project, looked up once per request. */
  role(projectId: string, lookup: () => Promise<ProjectRole | null>): Promise<ProjectRole | null> {
    let role = this.roles.get(projectId);
    if (!role) {
      role = lookup().then((answer) => {
        this.settledRoles.set(projectId, answer);
        return answer;
      });
      this.roles.set(projectId, role);
    }
    return role;
  }

  /** The role in a project once its lookup has answered (null: not a member); undefined before. */
  settledRole(projectId: string): { role: ProjectRole | null } | undefined {
    return this.settledRoles.has(projectId) ? { role: this.settledRoles.get(projectId)! } : undefined;
  }

  /** Whether the viewer shares a project with this user, looked up once per request. */
  sharesProjectWith(userId: string, lookup: () => Promise<boolean>): Promise<boolean> {
    let answer = this.coMembers.get(userId);
    if (!answer) {
      answer = lookup();
      this.coMembers.set(userId, answer);
    }
    return answer;
  }
}
