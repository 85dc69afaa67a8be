// Differential fixtures for the Java YDoc (dev.sandpit.gateway.collab.ydoc) made with the real yjs.
//
//   node ydoc-fixtures.mjs                 writes ../resources/ydoc/*.json (deterministic: seeded scenarios)
//   node ydoc-fixtures.mjs check IN OUT    applies Java-made updates (IN: {cases:[{name, base, updates, expectedText}]})
//                                          with yjs and writes what yjs got to OUT
//
// Run `npm install` in this directory first (yjs is pinned in package.json).
import * as Y from 'yjs'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const here = path.dirname(fileURLToPath(import.meta.url))
const outDir = path.join(here, '..', 'resources', 'ydoc')
const b64 = u => Buffer.from(u).toString('base64')
const unb64 = s => new Uint8Array(Buffer.from(s, 'base64'))

// mulberry32: a small seeded PRNG so every run writes the same files
const rng = seed => () => {
  seed |= 0; seed = seed + 0x6D2B79F5 | 0
  let t = Math.imul(seed ^ seed >>> 15, 1 | seed)
  t = t + Math.imul(t ^ t >>> 7, 61 | t) ^ t
  return ((t ^ t >>> 14) >>> 0) / 4294967296
}
const pick = (r, arr) => arr[Math.floor(r() * arr.length)]
const int = (r, n) => Math.floor(r() * n)

const ALPHABET = ['a', 'b', 'c', 'x', ' ', '\n', 'é', 'ß', '中', '文', '😀', '👍🏽', '𝄞', '\u0301']
const randomText = (r, maxLen, alphabet = ALPHABET) => {
  let s = ''
  const n = 1 + int(r, maxLen)
  for (let i = 0; i < n; i++) s += pick(r, alphabet)
  return s
}
// an index that never falls inside a surrogate pair (what an editor does); `raw` allows any UTF-16 index
const safeIndex = (str, i) => (i > 0 && i < str.length && /[\uDC00-\uDFFF]/.test(str[i]) ? i - 1 : i)

// what a fresh doc shows after loading this doc's encodeStateAsUpdate: differs from `text` only while structs are
// pending (yjs retries pending structs only when an update brings a clock they were recorded as missing)
const reloadText = doc => {
  const d = new Y.Doc()
  Y.applyUpdate(d, Y.encodeStateAsUpdate(doc))
  return d.getText('content').toString()
}

// withState: also yjs's encodeStateAsUpdate (left out of most steps to keep the fixtures small)
const docState = (doc, withState = true) => ({
  text: doc.getText('content').toString(),
  reloadText: reloadText(doc),
  sv: b64(Y.encodeStateVector(doc)),
  ...(withState ? { state: b64(Y.encodeStateAsUpdate(doc)) } : {}),
  pending: doc.store.pendingStructs !== null || doc.store.pendingDs !== null
})

const newDoc = clientID => {
  const d = new Y.Doc()
  d.clientID = clientID
  return d
}

/**
 * Clients edit 'content' concurrently and sync now and then; every local update is recorded. An observer then gets
 * all updates in `delivery` order ('ordered', 'shuffled', or 'late': a few held back to the end).
 */
const concurrentScenario = ({ name, seed, clients, ops, delivery, raw = false, checkpoints = 'every', alphabet }) => {
  const r = rng(seed)
  const ids = Array.from({ length: clients }, (_, i) => 1000 + int(r, 1 << 30) + i)
  const docs = ids.map(newDoc)
  const log = [] // {from, update}
  const seen = docs.map(() => 0)
  docs.forEach((d, i) => d.on('update', (u, origin) => { if (origin !== 'remote') log.push({ from: i, update: u }) }))
  for (let op = 0; op < ops; op++) {
    const i = int(r, clients)
    const d = docs[i]
    const t = d.getText('content')
    const len = t.length
    const roll = r()
    if (roll < 0.6 || len === 0) {
      let at = int(r, len + 1)
      if (!raw) at = safeIndex(t.toString(), at)
      t.insert(at, randomText(r, 5, alphabet))
    } else if (roll < 0.9) {
      let at = int(r, len)
      let n = 1 + int(r, Math.min(6, len - at))
      if (!raw) {
        const s = t.toString()
        at = safeIndex(s, at)
        let end = safeIndex(s, Math.min(len, at + n))
        if (end <= at) end = Math.min(len, at + 2)
        n = end - at
      }
      if (n > 0) t.delete(at, n)
    } else {
      // sync: this client receives everything it has not seen
      for (; seen[i] < log.length; seen[i]++) {
        if (log[seen[i]].from !== i) Y.applyUpdate(d, log[seen[i]].update, 'remote')
      }
    }
  }
  const updates = log.map(l => l.update)
  let order = updates.map((_, i) => i)
  if (delivery === 'shuffled') {
    for (let i = order.length - 1; i > 0; i--) { const j = int(r, i + 1); [order[i], order[j]] = [order[j], order[i]] }
  } else if (delivery === 'late') {
    const held = order.filter(() => r() < 0.15)
    order = order.filter(i => !held.includes(i)).concat(held)
  }
  const observer = newDoc(1)
  const steps = []
  order.forEach((idx, k) => {
    Y.applyUpdate(observer, updates[idx])
    if (checkpoints === 'every' || (k + 1) % checkpoints === 0 || k + 1 === order.length) steps.push({ after: k + 1, ...docState(observer, (k + 1) % 5 === 0 || k + 1 === order.length) })
  })
  // converged: every client text equals the observer's after a full sync
  const full = Y.mergeUpdates(updates)
  docs.forEach(d => Y.applyUpdate(d, full, 'remote'))
  const texts = new Set(docs.map(d => d.getText('content').toString()))
  if (texts.size !== 1 || !texts.has(observer.getText('content').toString())) throw new Error(name + ': did not converge')
  // a diff for a peer that has the first half of the (ordered) updates
  const half = newDoc(2)
  updates.slice(0, Math.floor(updates.length / 2)).forEach(u => Y.applyUpdate(half, u))
  const halfSv = Y.encodeStateVector(half)
  // yjs's own mergeUpdates of every other delivered update: gaps become Skip structs, so a doc gets pending structs
  const sparse = Y.mergeUpdates(order.filter((_, k) => k % 2 === 0).map(i => updates[i]))
  const sparseDoc = newDoc(3)
  Y.applyUpdate(sparseDoc, sparse)
  return {
    name,
    description: `${clients} clients, ${ops} ops, seed ${seed}, delivery ${delivery}${raw ? ', indexes may split surrogate pairs' : ''}`,
    sparseMerge: { update: b64(sparse), ...docState(sparseDoc, false) },
    updates: order.map(i => b64(updates[i])),
    steps,
    final: docState(observer),
    diff: { base: b64(Y.encodeStateAsUpdate(half)), sv: b64(halfSv), update: b64(Y.encodeStateAsUpdate(observer, halfSv)) }
  }
}

/** Three clients insert at the same place without seeing each other: YATA's client-id order decides. */
const samePositionScenario = () => {
  const base = newDoc(500)
  base.getText('content').insert(0, 'ab')
  const baseUpdate = Y.encodeStateAsUpdate(base)
  const updates = [baseUpdate]
  for (const [id, s] of [[300, 'X'], [100, 'Y'], [200, 'Z'], [400, '😀'], [50, 'é中']]) {
    const d = newDoc(id)
    Y.applyUpdate(d, baseUpdate)
    d.on('update', u => updates.push(u))
    d.getText('content').insert(1, s)
  }
  const observer = newDoc(1)
  const steps = []
  // deliver in reverse to also exercise insertion before already-integrated concurrent items
  ;[0, ...updates.slice(1).reverse().map((_, i) => updates.length - 1 - i)].forEach((idx, k) => {
    Y.applyUpdate(observer, updates[idx])
    steps.push({ after: k + 1, ...docState(observer) })
  })
  return {
    name: 'same-position-inserts',
    description: 'five clients insert at index 1 concurrently; delivered newest first',
    updates: [0, ...updates.slice(1).map((_, i) => updates.length - 1 - i)].map(i => b64(updates[i])),
    steps,
    final: docState(observer)
  }
}

/** One client types 10,000 single characters (some backspaces, some cursor jumps), one update per keystroke. */
const typingScenario = () => {
  const r = rng(10000)
  const d = newDoc(4242)
  const updates = []
  d.on('update', u => updates.push(u))
  const t = d.getText('content')
  let cursor = 0
  for (let i = 0; i < 10000; i++) {
    const roll = r()
    if (roll < 0.02) cursor = int(r, t.length + 1)
    if (roll < 0.1 && cursor > 0) {
      t.delete(cursor - 1, 1)
      cursor--
    } else {
      t.insert(cursor, pick(r, ['a', 'e', 'i', 'o', ' ', '\n', 'é', '中']))
      cursor++
    }
  }
  const observer = newDoc(1)
  const steps = []
  updates.forEach((u, k) => {
    Y.applyUpdate(observer, u)
    if ((k + 1) % 2500 === 0) steps.push({ after: k + 1, ...docState(observer) })
  })
  return { name: 'typing-10000', description: '10,000 keystrokes of one client, one update each', updates: updates.map(b64), steps, final: docState(observer) }
}

/** Formatting, embeds and other root types (map, array, xml, nested types): must survive a round trip. */
const otherTypesScenario = () => {
  const d = newDoc(777)
  const updates = []
  d.on('update', u => updates.push(u))
  const t = d.getText('content')
  t.insert(0, 'hello world')
  t.format(0, 5, { bold: true })
  t.insert(5, ' big', { italic: true, color: '#f00' })
  t.insertEmbed(3, { image: 'x.png' })
  t.delete(1, 2)
  const m = d.getMap('meta')
  m.set('title', 'T')
  m.set('n', 42)
  m.set('f', 1.5)
  m.set('big', 2 ** 40)
  m.set('neg', -7)
  m.set('obj', { a: [1, null, true, 'x'], b: { c: false } })
  m.set('bytes', new Uint8Array([1, 2, 3]))
  m.set('title', 'T2') // overwrite: the old value is deleted
  const nested = new Y.Text('nested')
  m.set('nested', nested)
  nested.insert(0, 'in')
  const arr = d.getArray('list')
  arr.push([1, 2, 3, 'four', { five: 5 }])
  arr.insert(1, [new Y.Map()])
  arr.delete(3, 1)
  const frag = d.getXmlFragment('xml')
  const el = new Y.XmlElement('p')
  frag.insert(0, [el])
  el.insert(0, [new Y.XmlText('para')])
  el.setAttribute('class', 'c')
  // deleted nested types: their children become GC structs
  const gone = new Y.Array()
  m.set('gone', gone)
  gone.push(['x', 'y'])
  const goneText = new Y.Text('bye')
  gone.push([goneText])
  goneText.insert(0, 'more ')
  m.delete('gone')
  const replaced = new Y.Text('old')
  m.set('replaced', replaced)
  m.set('replaced', new Y.Text('new'))
  t.insert(0, 'x')
  const observer = newDoc(1)
  const steps = []
  updates.forEach((u, k) => { Y.applyUpdate(observer, u); steps.push({ after: k + 1, ...docState(observer) }) })
  return { name: 'other-types', description: 'formats, embeds, Y.Map/Y.Array/Y.Xml roots and nested types', updates: updates.map(b64), steps, final: docState(observer) }
}

// ---- replaceText: the same prefix/suffix diff done with yjs, so Java's update bytes can be compared

const diffEdit = (old, next) => {
  const max = Math.min(old.length, next.length)
  let p = 0
  while (p < max && old[p] === next[p]) p++
  if (p > 0 && /[\uD800-\uDBFF]/.test(old[p - 1])) p--
  let s = 0
  while (s < max - p && old[old.length - 1 - s] === next[next.length - 1 - s]) s++
  if (s > 0 && /[\uDC00-\uDFFF]/.test(old[old.length - s])) s--
  return { at: p, del: old.length - p - s, ins: next.slice(p, next.length - s) }
}

const replaceScenario = (name, seed, baseState) => {
  const r = rng(seed)
  const d = new Y.Doc()
  Y.applyUpdate(d, baseState)
  const t = d.getText('content')
  const edits = []
  for (let i = 0; i < 40; i++) {
    const old = t.toString()
    let next
    const roll = r()
    if (roll < 0.05) next = old
    else if (roll < 0.1) next = ''
    else if (roll < 0.15) next = randomText(r, 30)
    else {
      const a = safeIndex(old, int(r, old.length + 1))
      const b = safeIndex(old, Math.min(old.length, a + int(r, 8)))
      next = old.slice(0, a) + (r() < 0.7 ? randomText(r, 6) : '') + old.slice(Math.max(a, b))
    }
    const clientID = pick(r, [9001, 9002, 123456789])
    d.clientID = clientID
    let update = new Uint8Array([0, 0])
    const handler = u => { update = u }
    d.on('update', handler)
    const { at, del, ins } = diffEdit(old, next)
    d.transact(() => {
      if (del > 0) t.delete(at, del)
      if (ins.length > 0) t.insert(at, ins)
    })
    d.off('update', handler)
    if (t.toString() !== next) throw new Error(name + ': yjs edit did not give the new text')
    edits.push({ newText: next, clientId: clientID, update: b64(update) })
  }
  edits[edits.length - 1].state = b64(Y.encodeStateAsUpdate(d))
  return { name, description: `40 whole-text replacements on a base state, seed ${seed}`, base: b64(baseState), edits }
}

/** A text with formatting marks (no embeds: replaceText works on the plain-text view) */
const formattedBase = () => {
  const d = newDoc(31337)
  const t = d.getText('content')
  t.insert(0, 'plain bold italic tail')
  t.format(6, 4, { bold: true })
  t.format(11, 6, { italic: true, size: 3 })
  t.format(8, 5, { bold: null })
  return Y.encodeStateAsUpdate(d)
}

const generate = () => {
  fs.mkdirSync(outDir, { recursive: true })
  const fixtures = []
  const sequential = concurrentScenario({ name: 'single-client', seed: 1, clients: 1, ops: 60, delivery: 'ordered' })
  fixtures.push(sequential)
  let seed = 100
  for (const delivery of ['ordered', 'shuffled', 'late']) {
    for (const clients of [2, 3]) {
      for (let k = 0; k < 4; k++) {
        fixtures.push(concurrentScenario({ name: `concurrent-${clients}c-${delivery}-${k}`, seed: seed++, clients, ops: 50, delivery }))
      }
    }
  }
  for (let k = 0; k < 4; k++) {
    fixtures.push(concurrentScenario({ name: `surrogate-split-${k}`, seed: 900 + k, clients: 2, ops: 50, delivery: 'shuffled', raw: true, alphabet: ['😀', '𝄞', '👍🏽', 'a'] }))
  }
  fixtures.push(concurrentScenario({ name: 'long-concurrent-3c', seed: 4000, clients: 3, ops: 1500, delivery: 'shuffled', checkpoints: 100 }))
  fixtures.push(samePositionScenario())
  fixtures.push(otherTypesScenario())
  fixtures.push(typingScenario())
  for (const f of fixtures) fs.writeFileSync(path.join(outDir, `sync-${f.name}.json`), JSON.stringify(f, null, 1) + '\n')
  const replaces = [
    replaceScenario('replace-empty-base', 7, Y.encodeStateAsUpdate(new Y.Doc())),
    replaceScenario('replace-concurrent-base', 8, unb64(fixtures[5].final.state)),
    replaceScenario('replace-surrogate-base', 9, unb64(fixtures.find(f => f.name === 'surrogate-split-0').final.state)),
    replaceScenario('replace-formatted-base', 10, formattedBase())
  ]
  for (const f of replaces) fs.writeFileSync(path.join(outDir, `${f.name}.json`), JSON.stringify(f, null, 1) + '\n')
  console.log(`wrote ${fixtures.length} sync and ${replaces.length} replace fixtures to ${outDir}`)
}

const check = (inFile, outFile) => {
  const input = JSON.parse(fs.readFileSync(inFile, 'utf8'))
  const results = input.cases.map(c => {
    const d = new Y.Doc()
    Y.applyUpdate(d, unb64(c.base))
    const texts = c.updates.map(u => { Y.applyUpdate(d, unb64(u)); return d.getText('content').toString() })
    const pending = d.store.pendingStructs !== null || d.store.pendingDs !== null
    const text = d.getText('content').toString()
    return { name: c.name, text, texts, pending, ok: text === c.expectedText && !pending }
  })
  fs.writeFileSync(outFile, JSON.stringify({ yjs: JSON.parse(fs.readFileSync(path.join(here, 'node_modules', 'yjs', 'package.json'), 'utf8')).version, cases: input.cases, results }, null, 1) + '\n')
  const bad = results.filter(r => !r.ok)
  console.log(`${results.length - bad.length} passed, ${bad.length} failed`)
  process.exitCode = bad.length === 0 ? 0 : 1
}

if (process.argv[2] === 'check') check(process.argv[3], process.argv[4])
else generate()
