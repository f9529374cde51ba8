// npm start — the API (and, once the worker lands, one worker) for local use.
import { startApi } from '../src/start-api.js';

const api = await startApi();
const shutdown = async () => {
  await api.stop();
  process.exit(0);
};
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);
