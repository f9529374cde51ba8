// One PrismaClient per process, over adapter-pg. Connected lazily so a process can choose its database first.
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../generated/prisma/client.js';
import { poolConfigFromUrl } from './pool-config.js';

export type Db = PrismaClient;

export function createPrismaClient(databaseUrl: string, poolMax?: number): PrismaClient {
  return new PrismaClient({ adapter: new PrismaPg(poolConfigFromUrl(databaseUrl, poolMax)) });
}

let client: PrismaClient | undefined;

export function connectDb(databaseUrl: string, poolMax?: number): PrismaClient {
  client = createPrismaClient(databaseUrl, poolMax);
  return client;
}

export function getDb(): PrismaClient {
  if (!client) {
    const url = process.env.DATABASE_URL;
    if (!url) throw new Error('No database: call connectDb() or set DATABASE_URL');
    client = createPrismaClient(url);
  }
  return client;
}

export async function disconnectDb(): Promise<void> {
  const current = client;
  client = undefined;
  await current?.$disconnect();
}
