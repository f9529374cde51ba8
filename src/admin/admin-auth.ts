// Who may use the admin pages: a platform administrator (User.isAdmin, or an email in SHIPYARD_ADMIN_EMAILS), by
// Bearer token or by the admin cookie a browser gets from /admin/login (a browser navigation cannot send a header).
import type { IncomingMessage } from 'node:http';
import type { PrismaClient, User } from '../generated/prisma/client.js';
import { bearerFrom, userForToken } from '../auth/tokens.js';

const ADMIN_COOKIE = 'shipyard_admin';

const isPlatformAdmin = (user: Pick<User, 'isAdmin' | 'email'>, adminEmails: readonly string[]) =>
  user.isAdmin || adminEmails.includes(user.email.toLowerCase());

function cookieToken(req: IncomingMessage): string | null {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === ADMIN_COOKIE) return decodeURIComponent(value.join('='));
  }
  return null;
}

export type AdminCheck = { status: 200; user: User } | { status: 401 | 403; message: string };

export const requestToken = (req: IncomingMessage): string | null => bearerFrom(req.headers.authorization) ?? cookieToken(req);

export async function checkAdmin(db: PrismaClient, secret: string | null, adminEmails: readonly string[]): Promise<AdminCheck> {
  if (!secret) return { status: 401, message: 'Sign in: send Authorization: Bearer <token>, or open /admin/login in a browser.' };
  const found = await userForToken(db, secret);
  if (!found) return { status: 401, message: 'This token is unknown, revoked or expired: sign in again at /admin/login.' };
  if (!isPlatformAdmin(found.user, adminEmails)) return { status: 403, message: 'Only platform administrators may open the admin pages.' };
  return { status: 200, user: found.user };
}

/** The admin cookie: the token itself, HttpOnly and SameSite=Strict, sent only to /admin; it ends with the session. */
export function adminCookie(token: string, secure: boolean): string {
  return `${ADMIN_COOKIE}=${encodeURIComponent(token)}; Path=/admin; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
}
