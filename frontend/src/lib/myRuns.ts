/** Runs started in this tab, remembered in sessionStorage (it survives a reload of the tab, and no other tab sees it). */
const MINE_KEY = 'sandpit.myRuns';

export function rememberMyRun(jobId: string): void {
  try {
    const ids = [jobId, ...myRuns().filter((x) => x !== jobId)].slice(0, 20);
    sessionStorage.setItem(MINE_KEY, JSON.stringify(ids));
  } catch {
    /* storage disabled: a reload then says "another tab" */
  }
}

export function isMyRun(jobId: string): boolean {
  return myRuns().includes(jobId);
}

function myRuns(): string[] {
  try {
    const v = JSON.parse(sessionStorage.getItem(MINE_KEY) ?? '[]');
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}
