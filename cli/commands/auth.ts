// signup, login, logout, whoami.
import type { Command } from 'commander';
import { graphql, type Session } from '../api.js';
import { credentialsFile, forgetToken, savedToken, saveToken } from '../config.js';
import { CliError, EXIT, notSignedIn, usageError } from '../errors.js';
import { print, type OutputOptions } from '../output.js';

type Globals = () => Promise<{ session: Session; output: OutputOptions }>;

const AUTH = `token user { id email name }`;

/** --password, SHIPYARD_PASSWORD, or (on a terminal) asked for without echoing it. */
async function password(flag: string | undefined): Promise<string> {
  const value = flag ?? process.env.SHIPYARD_PASSWORD;
  if (value) return value;
  if (!process.stdin.isTTY) throw usageError('A password is needed: --password <password>, SHIPYARD_PASSWORD, or run it on a terminal to be asked.');
  process.stderr.write('Password: ');
  const stdin = process.stdin;
  stdin.setRawMode(true);
  try {
    return await new Promise<string>((resolve, reject) => {
      let typed = '';
      const onData = (chunk: Buffer) => {
        for (const char of chunk.toString('utf8')) {
          if (char === '\r' || char === '\n') return done(() => resolve(typed));
          if (char === '\u0003') return done(() => reject(usageError('Cancelled.')));
          typed = char === '\u007f' ? typed.slice(0, -1) : typed + char;
        }
      };
      const done = (settle: () => void) => {
        stdin.off('data', onData);
        settle();
      };
      stdin.on('data', onData);
    });
  } finally {
    stdin.setRawMode(false);
    stdin.pause();
    process.stderr.write('\n');
  }
}

/** logOut with the token: true when revoked now, false when the server already refused it (revoked or expired). */
async function revokeSession(session: Session): Promise<boolean> {
  try {
    return (await graphql<{ logOut: boolean }>(session, 'mutation { logOut }')).logOut;
  } catch (error) {
    if (error instanceof CliError && error.exitCode === EXIT.auth) return false;
    if (error instanceof CliError && error.exitCode === EXIT.unreachable) {
      throw new CliError(`${error.message} The session was not revoked and stays stored; \`shipyard logout --local-only\` only forgets it.`, EXIT.unreachable);
    }
    throw error;
  }
}

export function registerAuth(program: Command, globals: Globals): void {
  program
    .command('signup')
    .description('Create an account and sign in')
    .requiredOption('--email <email>', 'your email address')
    .option('--password <password>', 'your password (or SHIPYARD_PASSWORD)')
    .option('--name <name>', 'your name')
    .action(async (opts: { email: string; password?: string; name?: string }) => {
      const { session, output } = await globals();
      const input = { email: opts.email, password: await password(opts.password), name: opts.name ?? opts.email.split('@')[0] };
      const { signUp } = await graphql<{ signUp: { token: string; user: { id: string; email: string; name: string } } }>(
        session,
        `mutation($input: SignUpInput!) { signUp(input: $input) { ${AUTH} } }`,
        { input },
        { anonymous: true },
      );
      const file = await saveToken(session.server, signUp.token, signUp.user.email);
      print(output, { user: signUp.user, credentials: file }, () => `Signed up and signed in as ${signUp.user.email} (token saved in ${file}).`);
    });

  program
    .command('login')
    .description('Sign in and keep the token for later commands')
    .requiredOption('--email <email>', 'your email address')
    .option('--password <password>', 'your password (or SHIPYARD_PASSWORD)')
    .action(async (opts: { email: string; password?: string }) => {
      const { session, output } = await globals();
      const { logIn } = await graphql<{ logIn: { token: string; user: { id: string; email: string; name: string } } }>(
        session,
        `mutation($input: LogInInput!) { logIn(input: $input) { ${AUTH} } }`,
        { input: { email: opts.email, password: await password(opts.password) } },
        { anonymous: true },
      );
      const file = await saveToken(session.server, logIn.token, logIn.user.email);
      print(output, { user: logIn.user, credentials: file }, () => `Signed in as ${logIn.user.email} (token saved in ${file}).`);
    });

  program
    .command('logout')
    .description('Revoke the stored session on the server, then forget it')
    .option('--local-only', 'only forget the stored token, without revoking it on the server (e.g. the server is gone)')
    .action(async (opts: { localOnly?: boolean }) => {
      const { session, output } = await globals();
      // The token `login` saved, not SHIPYARD_TOKEN: that one is the caller's to manage.
      const token = await savedToken(session.server);
      const revoked = token && !opts.localOnly ? await revokeSession({ server: session.server, token }) : false;
      const forgot = await forgetToken(session.server);
      print(output, { loggedOut: forgot, revoked, credentials: credentialsFile() }, () => {
        if (!forgot) return `Not signed in to ${session.server}${process.env.SHIPYARD_TOKEN ? ' with a stored token (SHIPYARD_TOKEN is left as it is)' : ''}.`;
        if (revoked) return `Signed out of ${session.server}: the session is revoked there and forgotten here.`;
        return opts.localOnly
          ? `Forgot the token for ${session.server} (it was not revoked on the server).`
          : `Signed out of ${session.server} (the server no longer accepted the token; forgotten here).`;
      });
    });

  program
    .command('whoami')
    .description('Show the signed-in user')
    .action(async () => {
      const { session, output } = await globals();
      const { viewer } = await graphql<{ viewer: { id: string; email: string; name: string } | null }>(session, `{ viewer { id email name } }`);
      if (!viewer) throw notSignedIn();
      print(output, { user: viewer, server: session.server }, () => `${viewer!.name} <${viewer!.email}> on ${session.server}`);
    });
}
