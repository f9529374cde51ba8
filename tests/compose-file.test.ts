// docker-compose.yml and the Dockerfile, checked structurally (no Docker engine here): what `docker compose config`
// would reject, and the properties the design needs (scalable workers, Redis noeviction + AOF, shared workspaces).
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const compose = parse(readFileSync('docker-compose.yml', 'utf8'), { merge: true }) as any;
const services = compose.services as Record<string, any>;

describe('docker-compose.yml', () => {
  it('has postgres, redis, api and worker, with only known top-level keys', () => {
    expect(Object.keys(services).sort()).toEqual(['api', 'postgres', 'redis', 'worker']);
    for (const key of Object.keys(compose)) expect(['name', 'services', 'volumes', 'networks', 'configs', 'secrets']).toContain(key.startsWith('x-') ? 'name' : key);
    for (const service of Object.values(services)) expect(service.image ?? service.build).toBeTruthy();
  });

  it('lets the worker scale: no container_name, no published ports', () => {
    expect(services.worker.container_name).toBeUndefined();
    expect(services.worker.ports).toBeUndefined();
    expect(services.worker.command.join(' ')).toContain('worker/index.ts');
    expect(services.worker.stop_grace_period).toBeTruthy();
    // bubblewrap needs user namespaces and mounts inside the container (README: Workers in containers).
    expect(services.worker.security_opt).toEqual(expect.arrayContaining(['seccomp=unconfined', 'apparmor=unconfined']));
  });

  it('runs Redis with noeviction and AOF on', () => {
    const command = services.redis.command.join(' ');
    expect(command).toMatch(/--maxmemory-policy noeviction/);
    expect(command).toMatch(/--appendonly yes/);
  });

  it('wires api and worker to the same Postgres, Redis and workspace volume', () => {
    for (const name of ['api', 'worker']) {
      const env = services[name].environment;
      expect(new URL(env.DATABASE_URL).hostname).toBe('postgres');
      expect(new URL(env.REDIS_URL).hostname).toBe('redis');
      expect(services[name].volumes).toContain(`generations:${env.GENERATIONS_DIR}`);
    }
  });

  it('references only declared services and volumes, with well-formed depends_on conditions', () => {
    const declaredVolumes = Object.keys(compose.volumes ?? {});
    for (const service of Object.values(services)) {
      for (const [dep, spec] of Object.entries(service.depends_on ?? {})) {
        expect(Object.keys(services)).toContain(dep);
        expect(['service_started', 'service_healthy', 'service_completed_successfully']).toContain((spec as any).condition);
        if ((spec as any).condition === 'service_healthy') expect(services[dep].healthcheck).toBeTruthy();
      }
      for (const volume of service.volumes ?? []) {
        const source = String(volume).split(':')[0]!;
        if (!source.startsWith('.') && !source.startsWith('/')) expect(declaredVolumes).toContain(source);
      }
      for (const port of service.ports ?? []) expect(String(port)).toMatch(/^(\d+\.\d+\.\d+\.\d+:)?\d+:\d+$/);
    }
  });

  it('builds from a Dockerfile whose COPY sources exist', () => {
    expect(services.api.build).toBe('.');
    const dockerfile = readFileSync('Dockerfile', 'utf8');
    expect(dockerfile).toMatch(/^FROM node:20/m);
    for (const line of dockerfile.split('\n').filter((l) => l.startsWith('COPY '))) {
      const sources = line.split(/\s+/).slice(1, -1);
      for (const source of sources) expect(existsSync(source), source).toBe(true);
    }
    expect(readFileSync('.dockerignore', 'utf8')).toMatch(/^node_modules$/m);
  });
});
