import type { ProjectRole, User } from './generated/prisma/client.js';
import type { AppServices } from './services.js';

export interface Context {
  user: User | null;
  /** The id of the token the request authenticated with (its revocation ends the request's subscriptions). */
  tokenId: string | null;
  /** The client's IP address as this process sees it (the peer of the connection). */
  clientAddress: string | null;
  /** Per-request cache of the viewer's role by project id. */
  roles: Map<string, Promise<ProjectRole | null>>;
  services: AppServices;
}
