// How the platform itself runs git on a workspace (the worker's status/log/commit tracking, the API's commit diffs):
// it never runs or obeys workspace-controlled code or config. Hooks, fsmonitor, pagers, external diff/textconv,
// protocol helpers and signing are switched off on the command line (which wins over .git/config), system and global
// config are ignored, and no inherited GIT_* variable reaches it.
export const PLATFORM_GIT_CONFIG: readonly string[] = [
  '-c', 'core.hooksPath=/dev/null',
  '-c', 'core.fsmonitor=',
  '-c', 'core.untrackedCache=false',
  '-c', 'core.pager=cat',
  '-c', 'core.sshCommand=false',
  '-c', 'core.askPass=',
  '-c', 'diff.external=',
  '-c', 'protocol.allow=never',
  '-c', 'protocol.file.allow=never',
  '-c', 'credential.helper=',
  '-c', 'gpg.program=false',
  '-c', 'commit.gpgSign=false',
  '-c', 'log.showSignature=false',
  '--no-pager',
];

/** Options that keep diff-producing subcommands from running textconv or external diff programs. */
export const NO_EXTERNAL_DIFF: readonly string[] = ['--no-ext-diff', '--no-textconv'];

/** The whole environment of a platform git process: only PATH (to find git) is taken from this process. */
export function platformGitEnv(): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: '/nonexistent',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_TERMINAL_PROMPT: '0',
    GIT_OPTIONAL_LOCKS: '0',
    GIT_ATTR_NOSYSTEM: '1',
    GIT_NO_REPLACE_OBJECTS: '1',
    LC_ALL: 'C',
  };
}
