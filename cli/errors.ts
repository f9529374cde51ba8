// The CLI's failures and their exit codes: 1 the run (or the request) failed, 2 usage, 3 authentication, 4 the server
// cannot be reached.
export const EXIT = { ok: 0, failed: 1, usage: 2, auth: 3, unreachable: 4 } as const;

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

export const usageError = (message: string) => new CliError(message, EXIT.usage);
export const notSignedIn = () => new CliError('Not signed in (or the token expired or was revoked): run `shipyard login` (or set SHIPYARD_TOKEN).', EXIT.auth);
