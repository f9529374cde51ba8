// Host-side files every sandbox mounts read-only: a synthetic passwd/group naming only the sandbox user, and a
// hosts file with localhost only. Written once per worker process into a private directory.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SANDBOX_HOME, SANDBOX_UID } from './bwrap-args.js';

export interface RuntimeFiles {
  passwd: string;
  group: string;
  hosts: string;
}

export function writeRuntimeFiles(): RuntimeFiles {
  const dir = mkdtempSync(join(tmpdir(), 'shipyard-sandbox-'));
  const files = { passwd: join(dir, 'passwd'), group: join(dir, 'group'), hosts: join(dir, 'hosts') };
  writeFileSync(files.passwd, `root:x:0:0:root:/root:/usr/sbin/nologin\nagent:x:${SANDBOX_UID}:${SANDBOX_UID}:agent:${SANDBOX_HOME}:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n`);
  writeFileSync(files.group, `root:x:0:\nagent:x:${SANDBOX_UID}:\nnogroup:x:65534:\n`);
  writeFileSync(files.hosts, '127.0.0.1 localhost\n::1 localhost ip6-localhost ip6-loopback\n');
  return files;
}
