// `shipyard`: the command line for a Shipyard server. Exit codes: 0 ok, 1 the run ended FAILED/STOPPED/CANCELLED (or
// the server refused the request), 2 usage, 3 authentication, 4 the server cannot be reached. Errors: one line on stderr.
import { Command, CommanderError } from 'commander';
import { CliError, EXIT } from './errors.js';
import { serverUrl, storedToken } from './config.js';
import { registerAuth } from './commands/auth.js';
import { registerProjects } from './commands/projects.js';
import { registerRuns } from './commands/runs.js';

const program = new Command('shipyard')
  .description('Run autonomous coding agents on a Shipyard server.')
  .option('--server <url>', 'server URL (default: SHIPYARD_URL or http://localhost:4000)')
  .option('--json', 'print JSON (one object per line when following a run)')
  .exitOverride()
  .configureOutput({ writeErr: (text) => process.stderr.write(text) });

async function globals() {
  const opts = program.opts<{ server?: string; json?: boolean }>();
  const server = serverUrl(opts.server);
  return { session: { server, token: await storedToken(server) }, output: { json: !!opts.json } };
}

let exitCode: number = EXIT.ok;
registerAuth(program, globals);
registerProjects(program, globals);
registerRuns(program, globals, (code) => (exitCode = code));
for (const command of program.commands) {
  command.exitOverride();
  for (const sub of command.commands) sub.exitOverride();
}

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // --help and --version are not errors; commander already printed the message for real ones.
    exitCode = error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  } else if (error instanceof CliError) {
    process.stderr.write(`shipyard: ${error.message}\n`);
    exitCode = error.exitCode;
  } else {
    process.stderr.write(`shipyard: unexpected error: ${(error as Error).message ?? String(error)}\n`);
    exitCode = EXIT.failed;
  }
}
process.exit(exitCode);
