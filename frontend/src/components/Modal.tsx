import { useEffect, useRef, type ReactNode } from 'react';

/** A modal <dialog>: focus is trapped inside, Esc closes, focus returns where it was. */
export function Modal({ open, onClose, title, children, wide }: { open: boolean; onClose: () => void; title: string; children: ReactNode; wide?: boolean }) {
  const ref = useRef<HTMLDialogElement>(null);
  const onCloseRef = useRef(onClose);
  onCloseRef.current = onClose;
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  return (
    <dialog
      ref={ref}
      className={`dialog ${wide ? 'wide' : ''}`}
      onCancel={(e) => {
        e.preventDefault();
        onCloseRef.current();
      }}
      aria-label={title}
    >
      {open && (
        <>
          <div className="dialog-head">
            <h2>{title}</h2>
            <button className="icon-btn" aria-label="Close" onClick={() => onCloseRef.current()}>
              ×
            </button>
          </div>
          {children}
        </>
      )}
    </dialog>
  );
}
