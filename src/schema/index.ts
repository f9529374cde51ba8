import { builder } from '../builder.js';
import './scalars.js';
import './user.js';
import './project.js';

export const schema = builder.toSchema({ sortSchema: true });
