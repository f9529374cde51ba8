import { builder } from '../builder.js';
import './scalars.js';
import './user.js';
import './project.js';
import './feature.js';
import './agent.js';
import './work-item.js';
import './agent-run.js';
import './commit.js';
import './event-data.js';

export const schema = builder.toSchema({ sortSchema: true });
