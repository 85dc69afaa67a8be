// A test driver for the gateway's /ws/collab endpoint: the stock y-websocket WebsocketProvider,
// unchanged, driven by JSON commands on stdin (one a line), each answered by one JSON line on
// stdout. CollabIT (gateway-service/src/test/java/dev/sandpit/gateway/collab) runs it.
//
//   {"op":"open","id":"a","url":"ws://127.0.0.1:1234/ws/collab","room":"<sid>/<encoded path>","token":"..."}
//       connect client a (a new Y.Doc, or a's previous one if it was disconnected: its edits are kept)
//   {"op":"waitSynced","id":"a","timeoutMs":5000}      wait for the provider's sync event
//   {"op":"insert","id":"a","index":-1,"text":"x"}     insert into doc.getText('content') (-1: at the end)
//   {"op":"type","id":"a","text":"abc"}                insert one character per transaction, at the end
//   {"op":"text","id":"a"}                             -> {"text": ...}
//   {"op":"waitText","id":"a","text":"...","timeoutMs":5000}  wait until the text is exactly that
//   {"op":"waitClosed","id":"a","timeoutMs":5000}      -> {"code":4401,"reason":"..."} of the first close
//   {"op":"waitDenied","id":"a","timeoutMs":5000}      -> {"reasons":[...]} permission-denied messages
//   {"op":"setAwareness","id":"a","state":{...}}       the local awareness state
//   {"op":"waitPeers","id":"a","count":1,"timeoutMs":5000} -> {"peers":[states of the others]}
//   {"op":"disconnect","id":"a"}                       destroy the provider (the doc stays)
//   {"op":"exit"}
import * as Y from 'yjs'
import { WebsocketProvider } from 'y-websocket'
import WebSocket from 'ws'
import readline from 'node:readline'

const clients = new Map()
const denied = []
const originalWarn = console.warn
console.warn = (...args) => {
  const m = String(args[0] ?? '')
  const match = /^Permission denied to access (.*)\.\n([\s\S]*)$/.exec(m)
  if (match) denied.push({ url: match[1], reason: match[2] })
  else originalWarn(...args)
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
const until = async (what, timeoutMs, check) => {
  const deadline = Date.now() + (timeoutMs ?? 10000)
  for (;;) {
    const v = check()
    if (v) return v
    if (Date.now() > deadline) throw new Error('timed out waiting for ' + what)
    await sleep(5)
  }
}

const client = (id) => {
  const c = clients.get(id)
  if (!c) throw new Error('no client ' + id)
  return c
}

const ops = {
  open ({ id, url, room, token }) {
    const old = clients.get(id)
    if (old && old.provider) old.provider.destroy()
    const doc = old ? old.doc : new Y.Doc()
    const provider = new WebsocketProvider(url, room, doc, {
      params: { token }, WebSocketPolyfill: WebSocket, disableBc: true
    })
    const c = { doc, provider, synced: false, closes: [] }
    provider.on('sync', (s) => { if (s) c.synced = true })
    provider.on('connection-close', (event) => {
      if (event) c.closes.push({ code: event.code, reason: String(event.reason ?? '') })
    })
    clients.set(id, c)
    return {}
  },
  async waitSynced ({ id, timeoutMs }) {
    const c = client(id)
    await until(id + ' synced', timeoutMs, () => c.synced)
    return {}
  },
  insert ({ id, index, text }) {
    const t = client(id).doc.getText('content')
    t.insert(index < 0 ? t.length : index, text)
    return { text: t.toString() }
  },
  async type ({ id, text }) {
    const t = client(id).doc.getText('content')
    for (const ch of text) {
      t.insert(t.length, ch)
      await sleep(1)
    }
    return { text: t.toString() }
  },
  text ({ id }) {
    return { text: client(id).doc.getText('content').toString() }
  },
  async waitText ({ id, text, timeoutMs }) {
    const t = client(id).doc.getText('content')
    try {
      await until(id + ' text', timeoutMs, () => t.toString() === text)
    } catch (e) {
      return { ok: false, error: e.message, text: t.toString() }
    }
    return { text: t.toString() }
  },
  async waitClosed ({ id, timeoutMs }) {
    const c = client(id)
    await until(id + ' closed', timeoutMs, () => c.closes.length > 0)
    return c.closes[0]
  },
  async waitDenied ({ id, timeoutMs }) {
    const c = client(id)
    const mine = () => denied.filter((d) => d.url === c.provider.url).map((d) => d.reason)
    await until(id + ' permission denied', timeoutMs, () => mine().length > 0)
    return { reasons: mine() }
  },
  setAwareness ({ id, state }) {
    client(id).provider.awareness.setLocalState(state)
    return {}
  },
  async waitPeers ({ id, count, timeoutMs }) {
    const c = client(id)
    const peers = () => [...c.provider.awareness.getStates().entries()]
      .filter(([k]) => k !== c.doc.clientID).map(([, v]) => v)
    try {
      await until(id + ' ' + count + ' peers', timeoutMs, () => peers().length === count)
    } catch (e) {
      return { ok: false, error: e.message, peers: peers() }
    }
    return { peers: peers() }
  },
  disconnect ({ id }) {
    const c = client(id)
    c.provider.destroy()
    c.provider = null
    return {}
  },
  exit () {
    setTimeout(() => process.exit(0), 10)
    return {}
  }
}

const rl = readline.createInterface({ input: process.stdin })
let queue = Promise.resolve()
rl.on('line', (line) => {
  queue = queue.then(async () => {
    let out
    try {
      const cmd = JSON.parse(line)
      const fn = ops[cmd.op]
      if (!fn) throw new Error('unknown op ' + cmd.op)
      out = { ok: true, ...(await fn(cmd)) }
    } catch (e) {
      out = { ok: false, error: String(e && e.message ? e.message : e) }
    }
    process.stdout.write(JSON.stringify(out) + '\n')
  })
})
rl.on('close', () => process.exit(0))
