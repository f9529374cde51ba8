// What GraphiQL opens with: an example operation to start from, and the Authorization header template of its
// Headers tab. Its files come from the installed packages (assets.ts): no CDN, it works offline.
import type { GraphiQLOptions } from 'graphql-yoga';

const EXAMPLE_OPERATION = /* GraphQL */ `# Welcome to Shipyard.
# 1. Run SignUp (or LogIn with an existing account) and copy the token from the answer.
# 2. Put it into the Headers tab below: { "Authorization": "Bearer <token>" }
# 3. Run Viewer, CreateProject, StartRun; then RunEvents streams a run's events live.

mutation SignUp {
  signUp(input: { email: "you@example.com", password: "a long passphrase", name: "You" }) {
    token
    user { id email }
  }
}

mutation LogIn {
  logIn(input: { email: "you@example.com", password: "a long passphrase" }) {
    token
  }
}

query Viewer {
  viewer { id email name }
  projects(first: 10) { edges { node { id name } } }
}

mutation CreateProject {
  createProject(input: { name: "Todo app", appSpec: "A small todo list web app." }) { id name }
}

mutation StartRun($projectId: ID!) {
  startAgentRun(input: { projectId: $projectId }) { id status }
}

subscription RunEvents($runId: ID!) {
  agentRunEvents(runId: $runId) { seq type payload createdAt }
}
`;

const HEADERS_TEMPLATE = JSON.stringify({ Authorization: 'Bearer <token from signUp or logIn>' }, null, 2);

export const graphiqlOptions: GraphiQLOptions = {
  title: 'Shipyard',
  // Over graphql-ws GraphiQL sends the Headers tab in each subscribe message (extensions.headers); see transport/graphql-ws.ts.
  subscriptionsProtocol: 'WS',
  defaultQuery: EXAMPLE_OPERATION,
  headers: HEADERS_TEMPLATE,
  shouldPersistHeaders: true,
};
