// The only way out of a sandbox in ALLOWLIST mode: an HTTP proxy in the worker (outside the sandbox) listening on a
// unix socket that is bound into the sandbox. It forwards CONNECT (HTTPS) and plain HTTP requests to allowlisted
// hosts on ports 80/443 only, and refuses any host that resolves to a loopback, private, link-local or otherwise
// internal address (so an allowlisted name can never be pointed at the host's Postgres, Redis or API).
import { lookup } from 'node:dns/promises';
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { BlockList, connect, isIP, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';

export interface EgressOptions {
  /** Host names (exact, or `*.example.com` for subdomains) the sandbox may reach. */
  allowedHosts: readonly string[];
  /**
   * Test hook: replaces DNS resolution and the address check with a dialer of the test's choosing (a fake registry on
   * 127.0.0.1). Never set by the worker.
   */
  dial?: (host: string, port: number) => Socket;
}

const PORTS = new Set([80, 443]);
const INTERNAL = new BlockList();
for (const [net, prefix] of [['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12], ['192.0.0.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 3]] as const) INTERNAL.addSubnet(net, prefix, 'ipv4');
// (IPv4-mapped and NAT64 forms are refused by prefix below: a ::ffff:0:0/96 rule here would also match plain IPv4.)
for (const [net, prefix] of [['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8]] as const) INTERNAL.addSubnet(net, prefix, 'ipv6');

export function isInternalAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return true;
  if (family === 6 && /^(::ffff:|64:ff9b:)/i.test(address)) return true; // IPv4-mapped / NAT64: never needed here
  return INTERNAL.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

export function hostAllowed(host: string, allowed: readonly string[]): boolean {
  const name = host.toLowerCase().replace(/\.$/, '');
  if (isIP(name) || !/^[a-z0-9.-]+$/.test(name)) return false;
  return allowed.some((entry) => {
    const rule = entry.toLowerCase();
    return rule.startsWith('*.') ? name.endsWith(rule.slice(1)) && name.length > rule.length - 1 : name === rule;
  });
}

export class EgressProxy {
  private server: Server | null = null;

  constructor(private readonly options: EgressOptions) {}

  listen(socketPath: string): Promise<void> {
    const server = createServer((req, res) => void this.forwardHttp(req, res));
    server.on('connect', (req: IncomingMessage, client: Duplex, head: Buffer) => void this.tunnel(req, client, head));
    server.on('clientError', (_error, socket) => socket.destroy());
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(socketPath, () => resolve());
    });
  }

  close(): void {
    this.server?.close();
    this.server?.closeAllConnections();
    this.server = null;
  }

  /** Resolves and checks a destination; the socket is connected to the checked address, never re-resolved. */
  private async open(host: string, port: number): Promise<Socket | string> {
    if (!PORTS.has(port)) return `port ${port} is not allowed (80 and 443 only)`;
    if (!hostAllowed(host, this.options.allowedHosts)) return `${host} is not in this agent's network allowlist`;
    if (this.options.dial) return this.options.dial(host, port);
    let addresses: { address: string }[];
    try {
      addresses = await lookup(host, { all: true });
    } catch {
      return `${host} does not resolve`;
    }
    if (!addresses.length || addresses.some((a) => isInternalAddress(a.address))) return `${host} resolves to an internal address`;
    return connect({ host: addresses[0].address, port });
  }

  private async tunnel(req: IncomingMessage, client: Duplex, head: Buffer): Promise<void> {
    const m = /^\[?([^\]]+?)\]?:(\d{1,5})$/.exec(req.url ?? '');
    const target = m ? await this.open(m[1], Number(m[2])) : 'a CONNECT needs host:port';
    if (typeof target === 'string') {
      client.end(`HTTP/1.1 403 Forbidden\r\ncontent-type: text/plain\r\n\r\nShipyard sandbox: ${target}.\n`);
      return;
    }
    target.once('connect', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) target.write(head);
      target.pipe(client);
      client.pipe(target);
    });
    const end = () => {
      target.destroy();
      client.destroy();
    };
    target.on('error', () => {
      if (!client.destroyed) client.end('HTTP/1.1 502 Bad Gateway\r\n\r\n');
      end();
    });
    client.on('error', end);
    client.on('close', end);
  }

  private async forwardHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let url: URL;
    try {
      url = new URL(req.url ?? '');
    } catch {
      res.writeHead(400).end('Shipyard sandbox: absolute http:// URLs only.\n');
      return;
    }
    const port = Number(url.port || 80);
    const target = url.protocol === 'http:' ? await this.open(url.hostname, port) : 'only http:// is forwarded (use CONNECT for https)';
    if (typeof target === 'string') {
      res.writeHead(403, { 'content-type': 'text/plain' }).end(`Shipyard sandbox: ${target}.\n`);
      return;
    }
    const upstream = httpRequest({ createConnection: () => target, host: url.hostname, port, method: req.method, path: `${url.pathname}${url.search}`, headers: { ...req.headers, host: url.host } }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  }
}
