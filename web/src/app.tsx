// The console: routes, the shared client (auth from the stored session) and the page frame.
import { useMemo } from 'react';
import { Link, Redirect, Route, Switch } from 'wouter';
import { createShipyardClient } from '../../client/src/index.js';
import { ShipyardProvider } from '../../client/src/react/index.js';
import { getToken, setToken, useToken } from './session.js';
import { LoginPage } from './pages/login.js';
import { ProjectsPage } from './pages/projects.js';
import { NewProjectPage } from './pages/new-project.js';
import { ProjectPage } from './pages/project.js';
import { RunPage } from './pages/run.js';
import { CommitPage } from './pages/commit.js';

export function App() {
  const token = useToken();
  const client = useMemo(() => createShipyardClient({ url: '/graphql', token: getToken, transport: 'ws' }), [token]);
  if (!token) {
    return (
      <Switch>
        <Route path="/login" component={LoginPage} />
        <Route>
          <Redirect to="/login" />
        </Route>
      </Switch>
    );
  }
  return (
    <ShipyardProvider client={client}>
      <header className="top">
        <Link href="/" className="brand">
          ⚓ Shipyard
        </Link>
        <nav>
          <Link href="/">Projects</Link>
          <Link href="/new">New project</Link>
          <a href="/graphql">GraphiQL</a>
          <button className="link" onClick={() => setToken(null)}>
            Log out
          </button>
        </nav>
      </header>
      <main>
        <Switch>
          <Route path="/" component={ProjectsPage} />
          <Route path="/new" component={NewProjectPage} />
          <Route path="/projects/:id/:tab?" component={ProjectPage} />
          <Route path="/runs/:id" component={RunPage} />
          <Route path="/commits/:id" component={CommitPage} />
          <Route path="/login">
            <Redirect to="/" />
          </Route>
          <Route>
            <p>Nothing here. <Link href="/">Projects</Link></p>
          </Route>
        </Switch>
      </main>
    </ShipyardProvider>
  );
}
