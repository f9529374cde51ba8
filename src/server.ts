// API process entry: database (DATABASE_URL or embedded), then the HTTP/WebSocket server.
import { startApi } from './start-api.js';

await startApi();
