import { describe, expect, it } from 'vitest';
import {
  TYPING_SHOWN_MAX_MS,
  coEditHooks,
  collabRoom,
  collabUrl,
  colorForId,
  createCollabStore,
  cssString,
  nextMode,
  nextTypingExpiry,
  presenceUnion,
  rebaseLocalEdit,
  remoteCursorCss,
  remoteCursorsCss,
  safeColor,
  type RemoteState,
} from '../src/lib/collabState';

describe('colour from a user id', () => {
  it('is a #rrggbb that is the same for the same id every time', () => {
    const c = colorForId('user-42');
    expect(c).toMatch(/^#[0-9a-f]{6}$/);
    expect(colorForId('user-42')).toBe(c);
  });

  it('gives ids that differ in one character far-apart hues', () => {
    const hue = (hex: string) => {
      const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
      return Math.atan2(Math.sqrt(3) * (g - b), 2 * r - g - b);
    };
    const near = ['ua', 'ub', 'uc', 'ud'].map((id) => hue(colorForId(id)));
    const close = near.filter((h, i) => near.some((k, j) => j !== i && Math.abs(h - k) < 0.05));
    expect(close.length).toBeLessThan(near.length);
  });

  it('spreads different ids over different colours', () => {
    const colours = new Set(Array.from({ length: 50 }, (_, i) => colorForId(`u${i}`)));
    expect(colours.size).toBeGreaterThan(40);
  });

  it('takes a colour from the wire only if it is a plain hex colour', () => {
    expect(safeColor('#a1B2c3', 'x')).toBe('#a1B2c3');
    expect(safeColor('red; } body { display: none', 'x')).toBe(colorForId('x'));
    expect(safeColor(undefined, 'x')).toBe(colorForId('x'));
  });
});

describe('remote cursor CSS', () => {
  it("colours the client's selection and head and labels the head with the name", () => {
    const css = remoteCursorCss(123, { id: 'u1', name: 'Ada', color: '#112233' });
    expect(css).toContain('.yRemoteSelection-123 { background-color: #11223333; }');
    expect(css).toContain('.yRemoteSelectionHead-123 { border-color: #112233; }');
    expect(css).toContain('.yRemoteSelectionHead-123::after { content: "Ada"; background-color: #112233; }');
  });

  it('escapes a name so it cannot leave its string', () => {
    expect(cssString('a"}b\\')).toBe('"a\\22 \\7d b\\5c "');
    const css = remoteCursorCss(7, { id: 'u', name: '"; } * { display: none } x { content: "' });
    expect(css).not.toMatch(/\* \{ display/);
    expect(css.split('\n').filter(Boolean)).toHaveLength(3);
  });

  it('writes nothing for a client id that is not a whole number', () => {
    expect(remoteCursorCss(Number.NaN, { name: 'x' })).toBe('');
    expect(remoteCursorCss(-1, { name: 'x' })).toBe('');
  });

  it('has one rule set per client, and none for a state without a user', () => {
    const css = remoteCursorsCss([
      [1, { user: { id: 'a', name: 'A' } }],
      [1, { user: { id: 'a', name: 'A' } }],
      [2, {}],
      [3, { user: { id: 'b', name: 'B' } }],
    ]);
    expect(css.match(/::after/g)).toHaveLength(2);
    expect(css).not.toContain('-2 ');
  });
});

describe('presence', () => {
  const state = (clientId: number, id: string, name: string, file: string | null, typing: boolean, updatedAt: number): RemoteState => ({
    clientId,
    state: { user: { id, name, color: '#000000' }, file, typing },
    updatedAt,
  });

  it('is one entry per user across documents, with the file of their newest state', () => {
    const peers = presenceUnion(
      [state(1, 'b', 'Bob', 'main.py', false, 100), state(2, 'b', 'Bob', 'util.py', false, 200), state(3, 'a', 'Ada', 'main.py', false, 150)],
      300,
    );
    expect(peers.map((p) => [p.name, p.file])).toEqual([
      ['Ada', 'main.py'],
      ['Bob', 'util.py'],
    ]);
  });

  it('shows typing while any of the user’s states says so, until it is TYPING_SHOWN_MAX_MS old', () => {
    const states = [state(1, 'b', 'Bob', 'main.py', true, 1000), state(2, 'b', 'Bob', 'main.py', false, 1200)];
    expect(presenceUnion(states, 1000 + TYPING_SHOWN_MAX_MS - 1)[0].typing).toBe(true);
    expect(presenceUnion(states, 1000 + TYPING_SHOWN_MAX_MS)[0].typing).toBe(false);
    expect(nextTypingExpiry(states, 1100)).toBe(1000 + TYPING_SHOWN_MAX_MS);
    expect(nextTypingExpiry(states, 1000 + TYPING_SHOWN_MAX_MS)).toBeNull();
  });

  it('marks the signed-in user in another tab, and skips states without a user', () => {
    const peers = presenceUnion([state(1, 'me', 'Me', 'a.py', false, 1), { clientId: 2, state: {}, updatedAt: 1 }], 2, 'me');
    expect(peers).toHaveLength(1);
    expect(peers[0].self).toBe(true);
  });

  it('is empty when everyone has left', () => {
    expect(presenceUnion([], 0)).toEqual([]);
  });
});

describe('the fallback decision', () => {
  it('goes live on the first sync and stays live when the socket later closes', () => {
    expect(nextMode('pending', 'synced')).toBe('live');
    expect(nextMode('live', 'closed-before-sync')).toBe('live');
    expect(nextMode('live', 'timeout')).toBe('live');
  });

  it('falls back to REST when the socket closes or times out before any sync (no collab endpoint)', () => {
    expect(nextMode('pending', 'closed-before-sync')).toBe('rest');
    expect(nextMode('pending', 'timeout')).toBe('rest');
    expect(nextMode('rest', 'synced')).toBe('rest');
  });

  it('lets a pending save wait for the decision', async () => {
    const store = createCollabStore();
    const hooks = coEditHooks(store);
    expect(hooks.mode('main.py')).toBe('rest');
    store.setState({ modes: { 'main.py': 'pending' } });
    let decided = false;
    const p = hooks.decided('main.py').then(() => (decided = true));
    await Promise.resolve();
    expect(decided).toBe(false);
    store.setState({ modes: { 'main.py': 'rest' } });
    await p;
    expect(decided).toBe(true);
  });
});

describe('rooms and URLs', () => {
  it('puts the path into one encoded segment after the session', () => {
    expect(collabRoom('s1', 'src/a b.py')).toBe('s1/src%2Fa%20b.py');
    expect(collabUrl({ protocol: 'https:', host: 'h:1' })).toBe('wss://h:1/ws/collab');
    expect(collabUrl({ protocol: 'http:', host: 'h' })).toBe('ws://h/ws/collab');
  });
});

describe('an edit typed before the document synced', () => {
  it('is one splice of the document when the document still has the text around it', () => {
    expect(rebaseLocalEdit('print(1)\n', 'print(12)\n', 'print(1)\n')).toEqual({ index: 7, remove: 0, insert: '2' });
    // someone else appended a line meanwhile, or put one in front: the splice still lands in place
    expect(rebaseLocalEdit('a\nb\n', 'a\nB\n', 'a\nb\nc\n')).toEqual({ index: 2, remove: 1, insert: 'B' });
    expect(rebaseLocalEdit('a\nb\n', 'a\nB\n', 'z\na\nb\n')).toEqual({ index: 4, remove: 1, insert: 'B' });
  });

  it('cannot be placed when the document changed the same text', () => {
    expect(rebaseLocalEdit('abc', 'aXc', 'aYc')).toBeNull();
    expect(rebaseLocalEdit('a-b-c', 'a-X-c', 'A-b-C')).toBeNull();
  });

  it('is nothing when nothing was typed', () => {
    expect(rebaseLocalEdit('abc', 'abc', 'zzz')).toEqual({ index: 0, remove: 0, insert: '' });
  });
});
