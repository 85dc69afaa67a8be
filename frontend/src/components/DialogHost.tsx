import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useStore } from 'zustand';
import { dialogs } from '../lib/dialogStore';

/** Renders the current confirm/prompt dialog as a modal <dialog> (focus trapped, Esc cancels). */
export function DialogHost() {
  const cur = useStore(dialogs, (s) => s.current);
  const ref = useRef<HTMLDialogElement>(null);
  const [value, setValue] = useState('');

  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (cur) {
      setValue(cur.input ?? '');
      if (!d.open) d.showModal();
    } else if (d.open) d.close();
  }, [cur]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!cur) return;
    cur.resolve(cur.input !== undefined ? value : true);
  };

  return (
    <dialog ref={ref} className="dialog" onCancel={() => cur?.resolve(null)} aria-labelledby="dialog-title">
      {cur && (
        <form onSubmit={submit}>
          <h2 id="dialog-title">{cur.title}</h2>
          {cur.message && <p>{cur.message}</p>}
          {cur.input !== undefined && (
            <label className="field">
              {cur.inputLabel ?? 'Name'}
              <input autoFocus value={value} onChange={(e) => setValue(e.target.value)} onFocus={(e) => e.target.select()} />
            </label>
          )}
          <div className="row end">
            <button type="button" className="btn" onClick={() => cur.resolve(null)}>
              Cancel
            </button>
            <button type="submit" className={`btn ${cur.danger ? 'danger' : 'primary'}`} autoFocus={cur.input === undefined}>
              {cur.confirmLabel ?? 'OK'}
            </button>
          </div>
        </form>
      )}
    </dialog>
  );
}
