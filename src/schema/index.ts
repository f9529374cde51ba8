import { builder } from '../builder.js';
import './scalars.js';
import './user.js';
import './project.js';
import './feature.js';
import './agent.js';
import './work-item.js';
import './agent-run.js';
import './run-control.js';
import './feature-verification.js';
import './budgets.js';
import './commit.js';
import './event-data.js';
import './workspace.js';

export const schema = builder.toSchema({ sortSchema: true });
