// Settings of the operations features, validated at start with every other variable (src/config/).
import { config, type Config } from '../config/index.js';

export type OpsSettings = Config['ops'];

export const opsSettings = (): OpsSettings => config().ops;
