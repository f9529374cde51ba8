import { useState, type FormEvent } from 'react';
import { useShipyardClient } from '../../../client/src/react/index.js';
import { ProjectAgentsDocument, UpdateAgentDocument } from '../generated/graphql.js';
import { useGql } from '../use-gql.js';
import { money } from '../widgets.js';

const lines = (v: FormDataEntryValue | null) => String(v ?? '').split('\n').map((s) => s.trim()).filter(Boolean);

export function AgentsTab({ projectId }: { projectId: string }) {
  const client = useShipyardClient();
  const { data, error, reload } = useGql(ProjectAgentsDocument, { id: projectId });
  const [editing, setEditing] = useState<string | null>(null);
  const [saveError, setSaveError] = useState<string | null>(null);
  if (error) return <p className="error">{error.message}</p>;
  if (!data?.project) return <p>Loading…</p>;
  const save = async (id: string, e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const result = await client
      .mutation(UpdateAgentDocument, {
        input: {
          id,
          model: String(f.get('model')),
          systemPrompt: String(f.get('systemPrompt')),
          allowedTools: lines(f.get('allowedTools')),
          allowedCommands: lines(f.get('allowedCommands')),
          maxTurns: Number(f.get('maxTurns')),
          maxSessions: Number(f.get('maxSessions')),
          budgetUsd: Number(f.get('budgetUsd')),
        },
      })
      .toPromise();
    if (result.error) return setSaveError(result.error.graphQLErrors[0]?.message ?? result.error.message);
    setSaveError(null);
    setEditing(null);
    reload();
  };
  return (
    <div className="agents">
      {data.project.agents.map((a) =>
        editing === a.id ? (
          <form key={a.id} className="card wide" onSubmit={(e) => save(a.id, e)}>
            <h3>{a.name} <span className="tag">{a.role}</span></h3>
            <label>Model <input name="model" defaultValue={a.model} /></label>
            <label>System prompt <textarea name="systemPrompt" rows={8} defaultValue={a.systemPrompt} /></label>
            <label>Allowed tools (one a line) <textarea name="allowedTools" rows={4} defaultValue={a.allowedTools.join('\n')} /></label>
            <label>Allowed commands (one a line) <textarea name="allowedCommands" rows={6} defaultValue={a.allowedCommands.join('\n')} /></label>
            <div className="row">
              <label>Max turns <input name="maxTurns" type="number" defaultValue={a.maxTurns} /></label>
              <label>Max sessions <input name="maxSessions" type="number" defaultValue={a.maxSessions} /></label>
              <label>Budget (USD) <input name="budgetUsd" type="number" step="0.01" defaultValue={a.budgetUsd} /></label>
            </div>
            {saveError ? <p className="error" role="alert">{saveError}</p> : null}
            <button type="submit">Save</button> <button type="button" className="link" onClick={() => setEditing(null)}>Cancel</button>
          </form>
        ) : (
          <div key={a.id} className="card wide">
            <h3>{a.name} <span className="tag">{a.role}</span> <button className="link" onClick={() => setEditing(a.id)}>Edit</button></h3>
            <p>
              <b>{a.model}</b> · {a.maxTurns} turns/session · {a.maxSessions} sessions · budget {money(a.budgetUsd)}
            </p>
            <p className="muted">tools: {a.allowedTools.join(', ') || '—'} · commands: {a.allowedCommands.join(', ') || '—'}</p>
            <pre className="prompt">{a.systemPrompt}</pre>
          </div>
        ),
      )}
    </div>
  );
}
