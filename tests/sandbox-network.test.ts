// Network from inside the sandbox: none by default; with an allowlist, only allowlisted hosts on 80/443 through the
// worker's egress proxy, never the host's loopback services. The allowlisted "registry" is a local fake reached through
// the proxy's typed test dialer (tests cannot reach the internet), and npm installs a package from it.
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostAllowed, isInternalAddress } from '../worker/sandbox/egress-proxy.js';
import { SandboxProvider } from '../worker/sandbox/provider.js';
import type { CommandRunner } from '../worker/sandbox/runner.js';
import { readSandboxSettings } from '../worker/sandbox/settings.js';

const BASE = `/var/tmp/shipyard-network-${randomBytes(4).toString('hex')}`;
const provider = new SandboxProvider(readSandboxSettings({}));
let registry: Server;
let registryPort: number;
const opts = () => ({ timeoutMs: 60_000, maxOutputBytes: 100_000, signal: new AbortController().signal });

beforeAll(async () => {
  expect(provider.availability().kind).toBe('bwrap');
  mkdirSync(join(BASE, 'pkg'), { recursive: true });
  writeFileSync(join(BASE, 'pkg/package.json'), JSON.stringify({ name: 'tiny-greeter', version: '1.0.0', main: 'index.js' }));
  writeFileSync(join(BASE, 'pkg/index.js'), "module.exports = () => 'hello from the fake registry';\n");
  execFileSync('npm', ['pack', '--silent', '--pack-destination', BASE], { cwd: join(BASE, 'pkg'), env: { PATH: process.env.PATH, HOME: BASE } });
  const tarball = readFileSync(join(BASE, 'tiny-greeter-1.0.0.tgz'));
  const packument = {
    name: 'tiny-greeter',
    'dist-tags': { latest: '1.0.0' },
    versions: {
      '1.0.0': {
        name: 'tiny-greeter',
        version: '1.0.0',
        main: 'index.js',
        dist: {
          tarball: 'http://registry.test/tiny-greeter/-/tiny-greeter-1.0.0.tgz',
          shasum: createHash('sha1').update(tarball).digest('hex'),
          integrity: `sha512-${createHash('sha512').update(tarball).digest('base64')}`,
        },
      },
    },
  };
  registry = createServer((req, res) => {
    if (req.url?.endsWith('.tgz')) res.end(tarball);
    else if (req.url?.startsWith('/tiny-greeter')) res.setHeader('content-type', 'application/json').end(JSON.stringify(packument));
    else res.end('fake-registry');
  });
  await new Promise<void>((resolve) => registry.listen(0, '127.0.0.1', resolve));
  registryPort = (registry.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise((resolve) => registry?.close(resolve));
  rmSync(BASE, { recursive: true, force: true });
});

function workspace(name: string): string {
  const dir = join(BASE, name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

describe('sandbox network', () => {
  it('classifies addresses and host names', () => {
    for (const a of ['64:ff9b::7f00:1', '127.0.0.1', '10.1.2.3', '172.20.0.1', '192.168.1.1', '169.254.169.254', '0.0.0.0', '::1', '::ffff:127.0.0.1', 'fd00::1', 'fe80::1']) expect(isInternalAddress(a), a).toBe(true);
    for (const a of ['104.16.0.35', '2606:4700::6810:1']) expect(isInternalAddress(a), a).toBe(false);
    expect(hostAllowed('registry.npmjs.org', ['registry.npmjs.org'])).toBe(true);
    expect(hostAllowed('a.cdn.example.com', ['*.example.com'])).toBe(true);
    expect(hostAllowed('example.com', ['*.example.com'])).toBe(false);
    expect(hostAllowed('evilregistry.npmjs.org.attacker.net', ['registry.npmjs.org'])).toBe(false);
    expect(hostAllowed('127.0.0.1', ['127.0.0.1'])).toBe(false);
  });

  it('NONE: no proxy, no route anywhere, not even to the host loopback', async () => {
    const session = provider.open(workspace('none'));
    try {
      const result = await session.run(`env | grep -ci proxy; curl -sS -m 3 http://127.0.0.1:${registryPort}/ 2>&1; curl -sS -m 3 http://127.0.0.1:5432/ 2>&1; echo PING > /dev/tcp/127.0.0.1/6379 && echo reached`, opts());
      expect(result.output).not.toMatch(/fake-registry|reached/);
      expect(result.output.split('\n')[0]).toBe('0');
    } finally {
      await session.close();
    }
  });

  describe('ALLOWLIST', () => {
    let session: CommandRunner;
    beforeAll(() => {
      session = provider.open(workspace('allowlist'), {
        network: { allowedHosts: ['registry.test', 'localhost'], dial: (host, port) => connect({ host: '127.0.0.1', port: host === 'registry.test' ? registryPort : port }) },
      });
    });
    afterAll(() => session.close());

    it('reaches the allowlisted registry over the proxy (plain and CONNECT) and npm installs from it', async () => {
      const plain = await session.run('curl -sS -m 10 http://registry.test/', opts());
      expect(plain.output).toBe('fake-registry');
      const tunnel = await session.run('curl -sS -m 10 --proxytunnel http://registry.test/', opts());
      expect(tunnel.output).toBe('fake-registry');
      const install = await session.run('npm init -y >/dev/null && npm install --registry http://registry.test/ tiny-greeter 2>&1 | tail -3 && node -e "console.log(require(\'tiny-greeter\')())"', opts());
      expect(install.output).toContain('hello from the fake registry');
    });

    it('refuses other hosts, other ports, IP literals and the host loopback, through the proxy or around it', async () => {
      const attempts = [
        'curl -sS -m 5 http://example.com/',
        'curl -sS -m 5 --proxytunnel https://127.0.0.1:5432/',
        'curl -sS -m 5 http://127.0.0.1:6379/',
        `curl -sS -m 5 http://localhost:${registryPort}/`,
        'curl -sS -m 5 http://registry.test:5432/',
        `curl -sS -m 5 --noproxy '*' http://127.0.0.1:${registryPort}/`,
        `curl -sS -m 5 -x http://127.0.0.1:3128 http://[::1]:${registryPort}/`,
      ];
      for (const command of attempts) {
        const result = await session.run(`${command} 2>&1; echo " rc=$?"`, opts());
        expect(result.output, command).not.toContain('fake-registry');
        expect(result.output, command).toMatch(/Shipyard sandbox: .*(allowlist|not allowed|internal)|rc=[1-9]/);
      }
    });
  });

  it('ALLOWLIST with the real resolver: an allowlisted name that resolves to loopback is refused', async () => {
    const session = provider.open(workspace('resolver'), { network: { allowedHosts: ['localhost'] } });
    try {
      const result = await session.run("curl -sS -m 5 --noproxy '' http://localhost/ 2>&1; curl -sS -m 5 --noproxy '' --proxytunnel https://localhost/ 2>&1", opts());
      expect(result.output).toMatch(/internal address/);
      expect(result.output).not.toContain('fake-registry');
    } finally {
      await session.close();
    }
  });
});
