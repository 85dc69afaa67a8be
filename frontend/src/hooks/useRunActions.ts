/** The Run / Stop actions: save first, pick flags, start the session's run. */
import { atLeast } from '../types/api';
import { C_COMPILERS, CPP_COMPILERS, LANGUAGE_INFO, mainFileFor } from '../lib/languages';
import { auth, catalog, runs, toasts, ui, workspace } from '../lib/services';
import { PERMANENT_SAVE_ERRORS, sortedPaths } from '../lib/workspaceStore';

export async function runSession(): Promise<void> {
  const w = workspace.getState();
  const s = w.session;
  if (!s) return;
  const push = toasts.getState().push;
  if (runs.getState().isLive()) {
    push({ kind: 'info', message: 'A run is going on. Stop it first (Ctrl+Shift+Enter).' });
    return;
  }
  if (!atLeast(w.role ?? undefined, 'runner')) {
    push({ kind: 'warn', message: 'Your role in this session may watch runs but not start them.' });
    return;
  }
  const lang = catalog.getState().language(s.language);
  if (!lang) {
    await catalog.getState().refresh();
    if (!catalog.getState().language(s.language)) {
      push({ kind: 'error', message: `No worker serves ${s.language} right now. Pick another language or try again later.` });
      return;
    }
  }
  let notices: string[] = [];
  if (atLeast(w.role ?? undefined, 'editor')) {
    const saved = await workspace.getState().saveAll();
    if (!saved) {
      const problems = workspace.getState().saveProblems();
      const mendable = problems.filter((p) => !PERMANENT_SAVE_ERRORS.has(p.code));
      if (mendable.length || !problems.length) {
        const names = mendable.map((p) => p.path).join(', ');
        push({ kind: 'error', message: `Some files could not be saved${names ? ` (${names})` : ''}, so the run would not use your latest code. Fix that first.` });
        return;
      }
      // a file the server will never take as it is (too large, …) must not block every run: run what is saved
      notices = problems.map((p) =>
        p.onServer
          ? `⚠ ${p.path}: your edits could not be saved (${p.message}); the run uses its last saved version.`
          : `⚠ ${p.path} was left out of the run: it could not be saved (${p.message}).`,
      );
      push({ kind: 'warn', message: notices.join(' ') });
    }
  }
  const info = LANGUAGE_INFO[s.language];
  // the session's settings (stored with it): the same for every member and browser
  const settings = info?.cFamily ? w.session?.settings : undefined;
  const flags = settings?.compiler_flags.length ? [...settings.compiler_flags] : undefined;
  const compilers = s.language === 'c' ? C_COMPILERS : CPP_COMPILERS;
  const compiler = settings?.compiler && compilers.includes(settings.compiler) ? settings.compiler : undefined;
  const main = mainFileFor(s.language, sortedPaths(workspace.getState().files));
  const language = catalog.getState().language(s.language);
  ui.getState().setTab('terminal');
  await runs.getState().run({
    sessionId: s.id,
    language: s.language,
    compiled: !!language?.compiled,
    compilerFlags: flags,
    compiler,
    notices,
    label: `${main ?? 'main'} · ${language?.display ?? s.language}${compiler ? ' · ' + compiler : ''}${flags && flags.length ? ' · ' + flags.join(' ') : ''}`,
  });
}

export function stopRun(): void {
  if (runs.getState().isLive()) runs.getState().stop();
}

/** Who started a run, for "started by …": you (in another tab), or the user's name. */
export function whoStarted(userId: string | undefined, userName?: string | null): string {
  if (!userId) return userName ?? 'someone';
  if (userId === auth.getState().user?.id) return 'you (another tab)';
  return userName ?? 'another user';
}
