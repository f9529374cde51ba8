import { useState } from 'react';
import { WorkspaceFileDocument, WorkspaceFilesDocument } from '../generated/graphql.js';
import { useGql } from '../use-gql.js';

export function FilesTab({ projectId }: { projectId: string }) {
  const [dir, setDir] = useState('');
  const [file, setFile] = useState<string | null>(null);
  const listing = useGql(WorkspaceFilesDocument, { id: projectId, path: dir });
  const parent = dir.split('/').slice(0, -1).join('/');
  return (
    <div className="files">
      <div className="tree">
        <div className="muted">/{dir}</div>
        {listing.error ? <p className="error">{listing.error.graphQLErrors[0]?.message ?? listing.error.message}</p> : null}
        <ul>
          {dir ? <li><button className="link" onClick={() => setDir(parent)}>..</button></li> : null}
          {listing.data?.project?.files.map((e) => (
            <li key={e.path}>
              {e.type === 'DIRECTORY' ? (
                <button className="link" onClick={() => (setDir(e.path), setFile(null))}>📁 {e.name}/</button>
              ) : e.type === 'FILE' ? (
                <button className={`link ${file === e.path ? 'active' : ''}`} onClick={() => setFile(e.path)}>📄 {e.name}</button>
              ) : (
                <span className="muted">{e.name} ({e.type.toLowerCase()})</span>
              )}
            </li>
          ))}
        </ul>
      </div>
      <div className="viewer">{file ? <FileView projectId={projectId} path={file} /> : <p className="muted">Pick a file.</p>}</div>
    </div>
  );
}

function FileView({ projectId, path }: { projectId: string; path: string }) {
  const { data, error } = useGql(WorkspaceFileDocument, { id: projectId, path });
  if (error) return <p className="error">{error.graphQLErrors[0]?.message ?? error.message}</p>;
  const f = data?.project?.file;
  if (!f) return <p>Loading…</p>;
  return (
    <div>
      <h4>{f.path} <span className="muted">{f.size} bytes{f.truncated ? ' · truncated' : ''}</span></h4>
      {f.binary ? <p className="muted">Binary file.</p> : <pre className="code" data-file={f.path}>{f.content}</pre>}
    </div>
  );
}
