import { resolve } from 'node:path';

export const generationsDir = () => resolve(process.env.GENERATIONS_DIR ?? 'generations');
export const defaultModel = () => process.env.SHIPYARD_DEFAULT_MODEL ?? 'claude-sonnet-5-5';
