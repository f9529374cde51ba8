import pino from 'pino';
import { config } from './config/index.js';

export const logger = pino({
  level: config().logLevel,
  redact: { paths: ['req.headers.authorization', 'authorization', 'token', 'password', '*.password', '*.token', 'apiKey'], censor: '[redacted]' },
});
