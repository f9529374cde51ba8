// GET /metrics: the registry in Prometheus text format (API and worker processes).
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';
import { logger } from '../logger.js';

export async function serveMetrics(registry: Registry, res: ServerResponse): Promise<void> {
  try {
    const body = await registry.metrics();
    res.writeHead(200, { 'content-type': registry.contentType }).end(body);
  } catch (error) {
    logger.error({ err: error }, 'collecting metrics failed');
    res.writeHead(500, { 'content-type': 'text/plain' }).end('collecting metrics failed\n');
  }
}

/** A worker's metrics endpoint on its own port; a port already taken is logged, not fatal (the worker's job is runs). */
export async function startMetricsServer(registry: Registry, port: number, host = '0.0.0.0'): Promise<{ server: Server; url: string | null }> {
  const server = createServer((req, res) => {
    if ((req.url ?? '/').split('?')[0] === '/metrics') return void serveMetrics(registry, res);
    res.writeHead(404).end();
  });
  return new Promise((resolve) => {
    server.once('error', (error) => {
      logger.error({ err: error, port }, `the metrics endpoint could not listen on port ${port} (set SHIPYARD_METRICS_PORT); running without it`);
      resolve({ server, url: null });
    });
    server.listen(port, host, () => {
      const address = server.address();
      resolve({ server, url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : port}/metrics` });
    });
  });
}
