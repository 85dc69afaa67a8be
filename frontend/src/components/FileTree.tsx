import { useMemo, useState } from 'react';
import { useStore } from 'zustand';
import { atLeast } from '../types/api';
import { toasts, workspace } from '../lib/services';
import { confirmDialog, promptDialog } from '../lib/dialogStore';
import type { FileEntry } from '../lib/workspaceStore';

interface Node {
  name: string;
  path: string;
  dir: boolean;
  children: Node[];
  file?: FileEntry;
}

export function buildTree(files: Record<string, FileEntry>): Node[] {
  const root: Node = { name: '', path: '', dir: true, children: [] };
  for (const path of Object.keys(files).sort()) {
    const parts = path.split('/');
    let cur = root;
    for (let i = 0; i < parts.length - 1; i++) {
      const p = parts.slice(0, i + 1).join('/');
      let next = cur.children.find((c) => c.dir && c.path === p);
      if (!next) {
        next = { name: parts[i], path: p, dir: true, children: [] };
        cur.children.push(next);
      }
      cur = next;
    }
    cur.children.push({ name: parts[parts.length - 1], path, dir: false, children: [], file: files[path] });
  }
  const sort = (n: Node) => {
    n.children.sort((a, b) => (a.dir === b.dir ? a.name.localeCompare(b.name) : a.dir ? -1 : 1));
    n.children.forEach(sort);
  };
  sort(root);
  return root.children;
}

function isDirty(f: FileEntry | undefined): boolean {
  return !!f && f.loaded && (f.content !== f.saved || f.version === 0);
}

export function FileTree() {
  const files = useStore(workspace, (s) => s.files);
  const active = useStore(workspace, (s) => s.active);
  const role = useStore(workspace, (s) => s.role);
  const hasSession = useStore(workspace, (s) => !!s.session);
  const [collapsed, setCollapsed] = useState<Record<string, boolean>>({});
  const tree = useMemo(() => buildTree(files), [files]);
  const canEdit = atLeast(role ?? undefined, 'editor');

  const create = async (dir = '') => {
    const path = await promptDialog({
      title: 'New file',
      input: dir ? `${dir}/` : '',
      inputLabel: 'Path (folders with /)',
      confirmLabel: 'Create',
    });
    if (!path) return;
    await workspace.getState().create(path.trim().replace(/^\/+/, ''));
  };

  const rename = async (path: string) => {
    const to = await promptDialog({ title: `Rename ${path}`, input: path, inputLabel: 'New path', confirmLabel: 'Rename' });
    if (!to || to === path) return;
    await workspace.getState().rename(path, to.trim());
  };

  const remove = async (path: string, dir: boolean) => {
    const ok = await confirmDialog({
      title: `Delete ${path}${dir ? '/' : ''}?`,
      message: dir ? 'Every file in the folder is deleted.' : undefined,
      confirmLabel: 'Delete',
      danger: true,
    });
    if (!ok) return;
    if (await workspace.getState().remove(path)) toasts.getState().push({ kind: 'success', message: `Deleted ${path}` });
  };

  const render = (nodes: Node[], depth: number) =>
    nodes.map((n) => (
      <li key={n.path} role="treeitem" aria-expanded={n.dir ? !collapsed[n.path] : undefined} aria-selected={n.path === active}>
        <div className={`tree-row ${n.path === active ? 'active' : ''}`} style={{ paddingLeft: 8 + depth * 12 }}>
          <button
            className="tree-item"
            data-path={n.path}
            onClick={() => (n.dir ? setCollapsed({ ...collapsed, [n.path]: !collapsed[n.path] }) : void workspace.getState().open(n.path))}
            onKeyDown={(e) => {
              if (!canEdit) return;
              if (e.key === 'F2') {
                e.preventDefault();
                void rename(n.path);
              } else if (e.key === 'Delete') {
                e.preventDefault();
                void remove(n.path, n.dir);
              }
            }}
          >
            <span className="tree-icon" aria-hidden>
              {n.dir ? (collapsed[n.path] ? '▸' : '▾') : '·'}
            </span>
            <span className="tree-name">{n.name}</span>
            {isDirty(n.file) && (
              <span className="dirty" title="Unsaved changes" aria-label="unsaved">
                ●
              </span>
            )}
            {n.file?.error && !n.file.conflict && isDirty(n.file) && (
              <span className="conflict" title={`Not saved: ${n.file.error}`} aria-label="not saved" data-testid="save-error">
                ⚠
              </span>
            )}
            {n.file?.conflict && (
              <span className="conflict" title="Changed elsewhere" aria-label="conflict">
                !
              </span>
            )}
          </button>
          {canEdit && (
            <span className="row-actions">
              {n.dir && (
                <button className="icon-btn small" aria-label={`New file in ${n.path}`} onClick={() => void create(n.path)}>
                  +
                </button>
              )}
              <button className="icon-btn small" aria-label={`Rename ${n.path}`} onClick={() => void rename(n.path)} title="Rename (F2)">
                ✎
              </button>
              <button className="icon-btn small" aria-label={`Delete ${n.path}`} onClick={() => void remove(n.path, n.dir)} title="Delete (Del)">
                ✕
              </button>
            </span>
          )}
        </div>
        {n.dir && !collapsed[n.path] && (
          <ul role="group" className="tree">
            {render(n.children, depth + 1)}
          </ul>
        )}
      </li>
    ));

  return (
    <div className="file-tree">
      <div className="panel-head">
        <h2>Files</h2>
        {canEdit && hasSession && (
          <button className="icon-btn small" onClick={() => void create()} aria-label="New file" title="New file">
            +
          </button>
        )}
      </div>
      <ul className="tree" role="tree" aria-label="Session files">
        {render(tree, 0)}
      </ul>
      {!canEdit && hasSession && <p className="muted small-note">Read-only: your role is {role}.</p>}
    </div>
  );
}
