/** Confirmation and prompt dialogs as promises: `await ask({...})`. One at a time. */
import { createStore } from 'zustand/vanilla';

export interface DialogRequest {
  title: string;
  message?: string;
  confirmLabel?: string;
  danger?: boolean;
  /** Present: the dialog asks for a text value (prompt), starting with this. */
  input?: string;
  inputLabel?: string;
}

interface DialogState {
  current: (DialogRequest & { resolve: (v: string | boolean | null) => void }) | null;
}

export const dialogs = createStore<DialogState>()(() => ({ current: null }));

function open(req: DialogRequest): Promise<string | boolean | null> {
  const prev = dialogs.getState().current;
  if (prev) prev.resolve(null);
  return new Promise((resolve) => {
    dialogs.setState({
      current: {
        ...req,
        resolve: (v) => {
          dialogs.setState({ current: null });
          resolve(v);
        },
      },
    });
  });
}

export async function confirmDialog(req: Omit<DialogRequest, 'input'>): Promise<boolean> {
  return (await open(req)) === true;
}

export async function promptDialog(req: DialogRequest & { input: string }): Promise<string | null> {
  const v = await open(req);
  return typeof v === 'string' ? v : null;
}
