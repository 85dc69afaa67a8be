// What .ci/compose-test checks through the compose stack's gateway (node --experimental-websocket).
//   node --experimental-websocket .ci/compose-check.mjs http://127.0.0.1:8080 <compose project>
import { execFileSync } from 'node:child_process';
import assert from 'node:assert/strict';

const [base, project] = process.argv.slice(2);
const dc = (...args) => execFileSync('docker-compose', ['-p', project, '-f', 'docker-compose.yml', ...args], { encoding: 'utf8' });
const say = (m) => console.error(`[compose-check] ${m}`);

async function until(what, ms, cond) {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      const v = await cond();
      if (v) return v;
    } catch {
      /* not yet */
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const health = async () => (await fetch(`${base}/health`)).json();

/** One run over /ws/execute: resolves with { out, complete }; onEvent sees every event (and the socket). */
function run(message, { onEvent = () => {}, timeoutMs = 120_000 } = {}) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(base.replace(/^http/, 'ws') + '/ws/execute');
    let out = '';
    const timer = setTimeout(() => reject(new Error(`no complete in ${timeoutMs} ms: ${out}`)), timeoutMs);
    ws.onopen = () => ws.send(JSON.stringify({ type: 'execute', request_id: 'r', ...message }));
    ws.onerror = (e) => reject(new Error('websocket: ' + e.message));
    ws.onmessage = (m) => {
      const e = JSON.parse(m.data);
      if (e.type === 'output') out += e.data;
      if (e.type === 'error') {
        clearTimeout(timer);
        reject(new Error('error event ' + m.data));
      }
      onEvent(e, ws, out);
      if (e.type === 'complete') {
        clearTimeout(timer);
        ws.close();
        resolve({ out, complete: e });
      }
    };
  });
}

const HELLO = {
  python: 'print("hello from python")',
  javascript: 'console.log("hello from javascript")',
  bash: 'echo "hello from bash"',
  c: '#include <stdio.h>\nint main(void){ puts("hello from c"); return 0; }\n',
  cpp: '#include <iostream>\nint main(){ std::cout << "hello from cpp" << std::endl; }\n',
  rust: 'fn main() { println!("hello from rust"); }\n',
  go: 'package main\nimport "fmt"\nfunc main() { fmt.Println("hello from go") }\n',
  java: 'public class Main { public static void main(String[] a) { System.out.println("hello from java"); } }\n',
};

// every language's hello world
const langs = (await (await fetch(`${base}/api/languages`)).json()).map((l) => l.name);
assert.deepEqual([...langs].sort(), Object.keys(HELLO).sort(), `languages served: ${langs}`);
for (const language of Object.keys(HELLO)) {
  const t0 = Date.now();
  const r = await run({ language, code: HELLO[language] });
  assert.equal(r.complete.status, 'ok', `${language}: ${JSON.stringify(r.complete)} ${r.out}`);
  assert.equal(r.out, `hello from ${language}\n`);
  say(`${language} hello world ok (${Date.now() - t0} ms)`);
}

// an interactive run
{
  const r = await run(
    { language: 'python', code: "n = input('Name? ')\nprint('Hi', n)" },
    { onEvent: (e, ws) => e.type === 'input_request' && ws.send(JSON.stringify({ type: 'input_response', job_id: e.job_id, data: 'Ada\n' })) },
  );
  assert.equal(r.out, 'Name? Hi Ada\n');
  say('interactive run ok');
}

// the session data survives a gateway restart
const guest = await (await fetch(`${base}/api/auth/guest`, { method: 'POST' })).json();
const auth = { Authorization: `Bearer ${guest.token}`, 'Content-Type': 'application/json' };
const session = await (await fetch(`${base}/api/sessions`, { method: 'POST', headers: auth, body: JSON.stringify({ template: 'python-hello' }) })).json();
assert.ok(session.id, JSON.stringify(session));

// three executors; kill -9 (docker kill) of the one running a job gives executor_lost, the rest serves
dc('up', '-d', '--scale', 'executor=3');
await until('three executors', 180_000, async () => (await health()).workers?.executor === 3);
say('scaled to 3 executors');
// no two workers on the host lease the same uid (and so the same cgroups)
{
  const claimed = [...dc('logs', '--no-color', 'executor', 'build-service').matchAll(/claimed \d+ sandbox slots: uids \[([\d, ]+)\]/g)]
    .flatMap((m) => m[1].split(', '));
  assert.ok(claimed.length >= 3 * 4 + 2, `claims seen: ${claimed}`);
  assert.equal(new Set(claimed).size, claimed.length, `a uid leased twice: ${claimed.sort()}`);
  say(`the workers lease disjoint uids (${claimed.length})`);
}
const ids = dc('ps', '-q', 'executor').trim().split('\n');
assert.equal(ids.length, 3);
let victim = null;
const lost = run(
  { language: 'python', code: "import time\nprint('ready', flush=True)\ntime.sleep(120)" },
  {
    onEvent: (e) => {
      if (e.type === 'output' && e.data.includes('ready') && !victim) {
        victim = ids.find((id) => execFileSync('docker', ['top', id, '-eo', 'pid,args'], { encoding: 'utf8' }).includes('python3'));
        say(`killing executor ${victim?.slice(0, 12)}`);
        execFileSync('docker', ['kill', victim]);
      }
    },
  },
);
const end = await lost;
assert.ok(victim, 'found the executor running the job');
assert.equal(end.complete.status, 'executor_lost', JSON.stringify(end.complete));
say('docker kill of an executor mid-run: executor_lost');
for (let i = 0; i < 3; i++) {
  const r = await run({ language: 'python', code: `print(${i})` });
  assert.equal(r.out, `${i}\n`);
}
say('the other executors keep serving');

// restart the gateway: the session and the token survive
dc('restart', 'gateway');
await until('the gateway back', 120_000, async () => (await health()).status === 'ok');
const again = await fetch(`${base}/api/sessions/${session.id}`, { headers: auth });
assert.equal(again.status, 200);
assert.equal((await again.json()).id, session.id);
say('gateway restart kept the session and the token');
