import { useState, type FormEvent } from 'react';
import { useLocation } from 'wouter';
import { useShipyardClient } from '../../../client/src/react/index.js';
import { CreateProjectDocument } from '../generated/graphql.js';

export function NewProjectPage() {
  const client = useShipyardClient();
  const [, navigate] = useLocation();
  const [spec, setSpec] = useState('');
  const [error, setError] = useState<string | null>(null);
  const upload = async (file: File | undefined) => file && setSpec(await file.text());
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const result = await client
      .mutation(CreateProjectDocument, { input: { name: String(form.get('name')), description: String(form.get('description') ?? ''), appSpec: spec } })
      .toPromise();
    if (!result.data) return setError(result.error?.graphQLErrors[0]?.message ?? result.error?.message ?? 'Failed');
    navigate(`/projects/${result.data.createProject.id}`);
  };
  return (
    <section>
      <h1>New project</h1>
      <form onSubmit={submit} className="card wide">
        <label>Name <input name="name" required /></label>
        <label>Description <input name="description" /></label>
        <label>
          App spec (paste it, or upload <code>app_spec.txt</code>)
          <input type="file" accept=".txt,.md,text/plain" aria-label="Upload app_spec.txt" onChange={(e) => upload(e.target.files?.[0])} />
          <textarea name="appSpec" rows={16} value={spec} onChange={(e) => setSpec(e.target.value)} placeholder="Describe the application to build…" />
        </label>
        {error ? <p className="error" role="alert">{error}</p> : null}
        <button type="submit">Create project</button>
      </form>
    </section>
  );
}
