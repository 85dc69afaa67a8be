package dev.sandpit.gateway.collab.ydoc;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * A Yjs document (update format v1) in Java: integrates updates as Yjs does (YATA, pending structs and deletes,
 * garbage collection of deleted content, merging of adjacent structs), encodes state vectors and state as one
 * update, reads Y.Text roots and makes local Y.Text edits.
 *
 * <p>Root types of any kind round-trip; only Y.Text has a reader ({@link #text}) and an editor
 * ({@link #replaceText}). Formatting attributes are kept but not created. Not thread-safe: one doc, one owner.
 */
public final class YDoc {
    private static final String JSON_NULL = "null";
    /** Rough heap cost of one struct object with its content holder, for {@link #sizeEstimateBytes}. */
    private static final long STRUCT_OVERHEAD_BYTES = 96;
    private static final long BYTES_PER_UTF16_UNIT = 2;
    private static final long OTHER_CONTENT_BYTES = 32;
    private static final byte[] EMPTY_UPDATE = {0, 0};
    private static final byte[] EMPTY_STATE_VECTOR = {0};

    private final Map<Long, ArrayList<Struct>> clients = new LinkedHashMap<>();
    private final Map<String, YType> roots = new LinkedHashMap<>();
    /** Structs that wait for a struct they depend on (null when none), as Yjs's store.pendingStructs. */
    private Pending pending;
    /** Deletes of clocks not yet known. */
    private DeleteSet pendingDeletes = new DeleteSet();
    /** Set when an update failed half-way: the doc refuses further use rather than serve a corrupt state. */
    private RuntimeException broken;

    public YDoc() {
    }

    // ---------------------------------------------------------------- public API

    /** Integrates a v1 update. Structs whose dependencies are missing wait until they arrive, as in Yjs. */
    public void applyUpdate(byte[] updateV1) {
        requireUsable();
        Lib0Decoder d = new Lib0Decoder(updateV1);
        Map<Long, List<Struct>> refs;
        DeleteSet ds;
        List<String> rootsBefore = new ArrayList<>(roots.keySet());
        try {
            refs = readStructs(d);
            ds = DeleteSet.read(d);
        } catch (RuntimeException e) {
            roots.keySet().retainAll(rootsBefore);
            throw e instanceof IllegalArgumentException iae ? iae : new IllegalArgumentException("malformed update", e);
        }
        Transaction t = new Transaction(this);
        try {
            readUpdate(t, refs, ds);
            cleanup(t);
        } catch (RuntimeException e) {
            // the update parsed but contradicts the doc (e.g. an origin that cannot exist): half integrated
            broken = e;
            throw new IllegalArgumentException("update could not be integrated; this YDoc is unusable now, reload it"
                    + " from its last good state", e);
        }
    }

    private void requireUsable() {
        if (broken != null) {
            throw new IllegalStateException("this YDoc failed to integrate an update earlier; reload it", broken);
        }
    }

    /**
     * Yjs readUpdateV2: integrates what can be, keeps the rest pending, and retries the pending structs when this
     * update brought a clock they were missing.
     */
    private void readUpdate(Transaction t, Map<Long, List<Struct>> refs, DeleteSet ds) {
        for (List<Struct> l : refs.values()) {
            l.sort(Comparator.comparingLong(s -> s.clock));
        }
        Pending rest = integrateStructs(t, refs);
        boolean retry = false;
        if (pending != null) {
            for (Map.Entry<Long, Long> e : pending.missing.entrySet()) {
                if (e.getValue() < getState(e.getKey())) {
                    retry = true;
                    break;
                }
            }
            if (rest != null) {
                rest.missing.forEach(pending::needs);
                for (Map.Entry<Long, List<Struct>> e : rest.structs.entrySet()) {
                    List<Struct> l = pending.structs.computeIfAbsent(e.getKey(), c -> new ArrayList<>());
                    l.addAll(e.getValue());
                    l.sort(Comparator.comparingLong(x -> x.clock));
                }
            }
        } else {
            pending = rest;
        }
        DeleteSet dsRest = applyDeleteSet(t, ds);
        if (!pendingDeletes.isEmpty()) {
            DeleteSet dsRest2 = applyDeleteSet(t, pendingDeletes);
            for (Map.Entry<Long, List<long[]>> e : dsRest2.clients.entrySet()) {
                for (long[] r : e.getValue()) {
                    dsRest.add(e.getKey(), r[0], r[1]);
                }
            }
            dsRest.sortAndMerge();
        }
        pendingDeletes = dsRest;
        if (retry) {
            Map<Long, List<Struct>> again = pending.structs;
            pending = null;
            readUpdate(t, again, new DeleteSet());
        }
    }

    /** lib0 varUint map client to clock, clients in descending order, as Y.encodeStateVector. */
    public byte[] encodeStateVector() {
        requireUsable();
        Lib0Encoder e = new Lib0Encoder();
        Map<Long, Long> sv = stateVector();
        List<Long> ids = new ArrayList<>(sv.keySet());
        ids.sort(Comparator.reverseOrder());
        e.writeVarUint(ids.size());
        for (long c : ids) {
            e.writeVarUint(c);
            e.writeVarUint(sv.get(c));
        }
        return e.toByteArray();
    }

    /** The whole state (pending structs and deletes included) as one v1 update, as Y.encodeStateAsUpdate(doc). */
    public byte[] encodeStateAsUpdate() {
        return encodeStateAsUpdate(EMPTY_STATE_VECTOR);
    }

    /** What a peer with the given encoded state vector lacks (all deletes are always included, as in Yjs). */
    public byte[] encodeStateAsUpdate(byte[] stateVector) {
        requireUsable();
        Map<Long, Long> target = decodeStateVector(stateVector);
        Lib0Encoder e = new Lib0Encoder();
        writeStructs(e, target, true);
        DeleteSet ds = deleteSetFromStore();
        for (Map.Entry<Long, List<long[]>> en : pendingDeletes.clients.entrySet()) {
            for (long[] r : en.getValue()) {
                ds.add(en.getKey(), r[0], r[1]);
            }
        }
        ds.sortAndMerge();
        ds.write(e);
        return e.toByteArray();
    }

    /** Y.Text toString() of a root type; "" when there is no such root. */
    public String text(String rootName) {
        requireUsable();
        YType t = roots.get(rootName);
        if (t == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder();
        for (Item i = t.start; i != null; i = i.right) {
            if (!i.deleted && i.countable() && i.content instanceof Content.Str s) {
                sb.append(s.str);
            }
        }
        return sb.toString();
    }

    /**
     * Local edit by {@code clientId}: turns the root text into {@code newText} with one delete and one insert at the
     * minimal common-prefix/suffix difference (never splitting a surrogate pair), in one transaction, as y-monaco
     * does it (delete, then insert). Returns the v1 update of that change ({@code [0, 0]}, empty, when nothing
     * changed).
     */
    public byte[] replaceText(String rootName, String newText, long clientId) {
        requireUsable();
        Objects.requireNonNull(newText, "newText");
        if (clientId < 0 || clientId > Lib0Decoder.MAX_SAFE_INTEGER) {
            throw new IllegalArgumentException("client id out of range: " + clientId);
        }
        if (pending != null && pending.structs.containsKey(clientId)) {
            throw new IllegalStateException("client " + clientId + " has structs this doc has not integrated yet;"
                    + " local edits need a client id of their own");
        }
        String old = text(rootName);
        requirePlainText(rootName);
        if (old.equals(newText)) {
            return EMPTY_UPDATE.clone();
        }
        int max = Math.min(old.length(), newText.length());
        int prefix = 0;
        while (prefix < max && old.charAt(prefix) == newText.charAt(prefix)) {
            prefix++;
        }
        if (prefix > 0 && Character.isHighSurrogate(old.charAt(prefix - 1))) {
            prefix--;
        }
        int suffix = 0;
        while (suffix < max - prefix
                && old.charAt(old.length() - 1 - suffix) == newText.charAt(newText.length() - 1 - suffix)) {
            suffix++;
        }
        if (suffix > 0 && Character.isLowSurrogate(old.charAt(old.length() - suffix))) {
            suffix--;
        }
        int deleteLen = old.length() - prefix - suffix;
        String insert = newText.substring(prefix, newText.length() - suffix);
        YType type = root(rootName);
        Transaction t = new Transaction(this);
        if (deleteLen > 0) {
            TextPosition pos = findPosition(t, type, prefix);
            deleteText(t, pos, deleteLen);
        }
        if (!insert.isEmpty()) {
            TextPosition pos = findPosition(t, type, prefix);
            insertText(t, type, pos, insert, clientId);
        }
        t.deleteSet.sortAndMerge();
        cleanup(t);
        Lib0Encoder e = new Lib0Encoder();
        writeStructs(e, t.beforeState, false);
        t.deleteSet.write(e);
        return e.toByteArray();
    }

    /**
     * Embeds and nested types count as one position in Yjs's Y.Text but are not part of toString(), so a diff of
     * the strings would land at the wrong index: such texts are refused.
     */
    private void requirePlainText(String rootName) {
        YType t = roots.get(rootName);
        for (Item i = t == null ? null : t.start; i != null; i = i.right) {
            if (!i.deleted && i.countable() && !(i.content instanceof Content.Str)) {
                throw new IllegalStateException("Y.Text '" + rootName + "' holds embeds or types; replaceText edits"
                        + " plain text only");
            }
        }
    }

    /** Applies all updates to a fresh doc and returns its state as one update. */
    public static byte[] mergeUpdates(List<byte[]> updates) {
        YDoc doc = new YDoc();
        for (byte[] u : updates) {
            doc.applyUpdate(u);
        }
        return doc.encodeStateAsUpdate();
    }

    /** A rough estimate of this doc's heap footprint, for bounds checks. */
    public long sizeEstimateBytes() {
        long total = 0;
        for (List<Struct> l : clients.values()) {
            for (Struct s : l) {
                total += structBytes(s);
            }
        }
        for (List<Struct> l : pending == null ? List.<List<Struct>>of() : pending.structs.values()) {
            for (Struct s : l) {
                total += structBytes(s);
            }
        }
        for (List<long[]> l : pendingDeletes.clients.values()) {
            total += l.size() * (long) Long.BYTES * 2;
        }
        return total;
    }

    // ---------------------------------------------------------------- package-private views (tests, other code)

    /** Number of structs in the store (a measure of how well edits were merged). */
    int structCount() {
        int n = 0;
        for (List<Struct> l : clients.values()) {
            n += l.size();
        }
        return n;
    }

    boolean hasPending() {
        return pending != null || !pendingDeletes.isEmpty();
    }

    private static long structBytes(Struct s) {
        long b = STRUCT_OVERHEAD_BYTES;
        if (s instanceof Item i) {
            if (i.content instanceof Content.Str str) {
                b += str.str.length() * BYTES_PER_UTF16_UNIT;
            } else if (i.content instanceof Content.Binary bin) {
                b += bin.bytes.length;
            } else if (!(i.content instanceof Content.Deleted)) {
                b += OTHER_CONTENT_BYTES * i.length;
            }
            if (i.parentSub != null) {
                b += i.parentSub.length() * BYTES_PER_UTF16_UNIT;
            }
        }
        return b;
    }

    // ---------------------------------------------------------------- struct store

    Map<Long, Long> stateVector() {
        Map<Long, Long> sv = new LinkedHashMap<>();
        for (Map.Entry<Long, ArrayList<Struct>> e : clients.entrySet()) {
            List<Struct> l = e.getValue();
            sv.put(e.getKey(), l.get(l.size() - 1).end());
        }
        return sv;
    }

    long getState(long client) {
        List<Struct> l = clients.get(client);
        return l == null ? 0 : l.get(l.size() - 1).end();
    }

    YType root(String name) {
        return roots.computeIfAbsent(name, YType::root);
    }

    void addStruct(Struct s) {
        ArrayList<Struct> l = clients.get(s.client);
        if (l == null) {
            l = new ArrayList<>();
            clients.put(s.client, l);
        } else if (l.get(l.size() - 1).end() != s.clock) {
            throw new IllegalStateException("struct " + s.id() + " does not follow the client's last clock");
        }
        l.add(s);
    }

    static int findIndex(List<Struct> structs, long clock) {
        int left = 0;
        int right = structs.size() - 1;
        while (left <= right) {
            int mid = (left + right) >>> 1;
            Struct s = structs.get(mid);
            if (s.clock <= clock) {
                if (clock < s.end()) {
                    return mid;
                }
                left = mid + 1;
            } else {
                right = mid - 1;
            }
        }
        throw new IllegalArgumentException("no struct holds clock " + clock);
    }

    private List<Struct> structsOf(long client) {
        List<Struct> l = clients.get(client);
        if (l == null) {
            throw new IllegalArgumentException("no structs of client " + client);
        }
        return l;
    }

    Struct getStruct(Id id) {
        List<Struct> l = structsOf(id.client());
        return l.get(findIndex(l, id.clock()));
    }

    void replaceStruct(Struct old, Struct replacement) {
        List<Struct> l = structsOf(old.client);
        l.set(findIndex(l, old.clock), replacement);
    }

    private int findIndexCleanStart(Transaction t, List<Struct> structs, long clock) {
        int index = findIndex(structs, clock);
        Struct s = structs.get(index);
        if (s.clock < clock && s instanceof Item item) {
            structs.add(index + 1, splitItem(t, item, clock - s.clock));
            return index + 1;
        }
        return index;
    }

    Struct getItemCleanStart(Transaction t, Id id) {
        List<Struct> l = structsOf(id.client());
        return l.get(findIndexCleanStart(t, l, id.clock()));
    }

    Struct getItemCleanEnd(Transaction t, Id id) {
        List<Struct> l = structsOf(id.client());
        int index = findIndex(l, id.clock());
        Struct s = l.get(index);
        if (id.clock() != s.end() - 1 && s instanceof Item item) {
            l.add(index + 1, splitItem(t, item, id.clock() - s.clock + 1));
        }
        return s;
    }

    /** Yjs splitItem: cuts {@code left} after {@code diff} units; returns the new right part (not yet stored). */
    private static Item splitItem(Transaction t, Item left, long diff) {
        Item right = new Item(left.client, left.clock + diff, left, new Id(left.client, left.clock + diff - 1),
                left.right, left.rightOrigin, left.parent, left.parentSub, left.content.splice(diff));
        right.deleted = left.deleted;
        right.keep = left.keep;
        left.right = right;
        if (right.right != null) {
            right.right.left = right;
        }
        t.mergeStructs.add(right);
        if (right.parentSub != null && right.right == null) {
            right.parentType().map.put(right.parentSub, right);
        }
        left.length = diff;
        return right;
    }

    // ---------------------------------------------------------------- reading and integrating updates

    private Map<Long, List<Struct>> readStructs(Lib0Decoder d) {
        Map<Long, List<Struct>> refs = new HashMap<>();
        long blocks = d.readVarUint();
        for (long b = 0; b < blocks; b++) {
            long count = d.readVarUint();
            long client = d.readVarUint();
            long clock = d.readVarUint();
            List<Struct> list = refs.computeIfAbsent(client, c -> new ArrayList<>());
            for (long i = 0; i < count; i++) {
                int info = d.readUint8();
                int ref = info & Item.BITS_CONTENT_REF;
                Struct s;
                if (ref == Struct.REF_GC) {
                    s = new Struct.Gc(client, clock, d.readVarUint());
                } else if (ref == Struct.REF_SKIP) {
                    s = new Struct.Skip(client, clock, d.readVarUint());
                } else {
                    Id origin = (info & Item.BIT_ORIGIN) != 0 ? readId(d) : null;
                    Id rightOrigin = (info & Item.BIT_RIGHT_ORIGIN) != 0 ? readId(d) : null;
                    Object parent = null;
                    String parentSub = null;
                    if ((info & (Item.BIT_ORIGIN | Item.BIT_RIGHT_ORIGIN)) == 0) {
                        parent = d.readVarUint() == Item.PARENT_IS_ROOT_NAME ? root(d.readVarString()) : readId(d);
                        if ((info & Item.BIT_PARENT_SUB) != 0) {
                            parentSub = d.readVarString();
                        }
                    }
                    Content c = Content.read(d, ref);
                    s = new Item(client, clock, null, origin, null, rightOrigin, parent, parentSub, c);
                }
                clock += s.length;
                if (s.length > 0 && !(s instanceof Struct.Skip)) {
                    list.add(s);
                }
            }
        }
        refs.values().removeIf(List::isEmpty);
        return refs;
    }

    private static Id readId(Lib0Decoder d) {
        long client = d.readVarUint();
        return new Id(client, d.readVarUint());
    }

    /** Structs that could not be integrated, per client sorted by clock, and the first clock each client lacks. */
    private static final class Pending {
        final Map<Long, List<Struct>> structs = new HashMap<>();
        final Map<Long, Long> missing = new HashMap<>();

        void needs(long client, long clock) {
            Long m = missing.get(client);
            if (m == null || m > clock) {
                missing.put(client, clock);
            }
        }
    }

    private static final class Cursor {
        List<Struct> refs;
        int i;

        Cursor(List<Struct> refs) {
            this.refs = refs;
        }
    }

    /**
     * Yjs integrateStructs: integrates each client's structs in clock order, following a missing dependency into
     * the other client's structs first; what cannot be integrated is returned (the new pending structs).
     */
    private Pending integrateStructs(Transaction t, Map<Long, List<Struct>> input) {
        Pending restPending = new Pending();
        Map<Long, List<Struct>> rest = restPending.structs;
        Map<Long, Cursor> refs = new HashMap<>();
        for (Map.Entry<Long, List<Struct>> e : input.entrySet()) {
            refs.put(e.getKey(), new Cursor(e.getValue()));
        }
        TreeSet<Long> ids = new TreeSet<>(refs.keySet());
        Deque<Struct> stack = new ArrayDeque<>();
        Map<Long, Long> state = new HashMap<>();
        Cursor cur = nextTarget(ids, refs);
        if (cur == null) {
            return null;
        }
        Struct head = cur.refs.get(cur.i++);
        while (true) {
            long localClock = state.computeIfAbsent(head.client, this::getState);
            long offset = localClock - head.clock;
            if (offset < 0) {
                stack.push(head);
                restPending.needs(head.client, head.clock - 1);
                moveStackToRest(stack, refs, ids, rest);
            } else {
                Long missing = head instanceof Item item ? item.getMissing(t, this) : null;
                if (missing != null) {
                    stack.push(head);
                    Cursor dep = refs.get(missing);
                    if (dep == null || dep.i == dep.refs.size()) {
                        restPending.needs(missing, getState(missing));
                        moveStackToRest(stack, refs, ids, rest);
                    } else {
                        head = dep.refs.get(dep.i++);
                        continue;
                    }
                } else if (offset == 0 || offset < head.length) {
                    if (head instanceof Item item) {
                        item.integrate(t, offset);
                    } else {
                        head.clock += offset;
                        head.length -= offset;
                        addStruct(head);
                    }
                    state.put(head.client, head.clock + head.length);
                }
            }
            if (!stack.isEmpty()) {
                head = stack.pop();
            } else if (cur != null && cur.i < cur.refs.size()) {
                head = cur.refs.get(cur.i++);
            } else {
                cur = nextTarget(ids, refs);
                if (cur == null) {
                    break;
                }
                head = cur.refs.get(cur.i++);
            }
        }
        return rest.isEmpty() ? null : restPending;
    }

    private static Cursor nextTarget(TreeSet<Long> ids, Map<Long, Cursor> refs) {
        while (!ids.isEmpty()) {
            Cursor c = refs.get(ids.last());
            if (c != null && c.i < c.refs.size()) {
                return c;
            }
            ids.pollLast();
        }
        return null;
    }

    private static void moveStackToRest(Deque<Struct> stack, Map<Long, Cursor> refs, TreeSet<Long> ids,
            Map<Long, List<Struct>> rest) {
        for (Struct s : stack) {
            long client = s.client;
            Cursor c = refs.remove(client);
            List<Struct> target = rest.computeIfAbsent(client, k -> new ArrayList<>());
            if (c != null) {
                c.i--;
                target.addAll(c.refs.subList(c.i, c.refs.size()));
                c.i = 0;
                c.refs = new ArrayList<>();
            } else {
                target.add(s);
            }
            ids.remove(client);
        }
        stack.clear();
        for (List<Struct> l : rest.values()) {
            l.sort(Comparator.comparingLong(x -> x.clock));
        }
    }

    /** Yjs readAndApplyDeleteSet: deletes what the doc has; returns the ranges it does not have yet. */
    private DeleteSet applyDeleteSet(Transaction t, DeleteSet ds) {
        DeleteSet unapplied = new DeleteSet();
        for (Map.Entry<Long, List<long[]>> e : ds.clients.entrySet()) {
            long client = e.getKey();
            List<Struct> structs = clients.get(client);
            long state = getState(client);
            for (long[] r : e.getValue()) {
                long clock = r[0];
                long clockEnd = clock + r[1];
                if (r[1] <= 0) {
                    continue;
                }
                if (clock < state) {
                    if (state < clockEnd) {
                        unapplied.add(client, state, clockEnd - state);
                    }
                    int index = findIndex(structs, clock);
                    Struct s = structs.get(index);
                    if (!s.deleted() && s.clock < clock) {
                        structs.add(index + 1, splitItem(t, (Item) s, clock - s.clock));
                        index++;
                    }
                    while (index < structs.size()) {
                        s = structs.get(index++);
                        if (s.clock < clockEnd) {
                            if (!s.deleted()) {
                                Item item = (Item) s;
                                if (clockEnd < s.end()) {
                                    structs.add(index, splitItem(t, item, clockEnd - s.clock));
                                }
                                item.delete(t);
                            }
                        } else {
                            break;
                        }
                    }
                } else {
                    unapplied.add(client, clock, clockEnd - clock);
                }
            }
        }
        return unapplied;
    }

    // ---------------------------------------------------------------- transaction cleanup (gc and merging)

    /** What Yjs does when a transaction ends: collect deleted content, then merge structs that can be merged. */
    private void cleanup(Transaction t) {
        DeleteSet ds = t.deleteSet;
        ds.sortAndMerge();
        for (Map.Entry<Long, List<long[]>> e : ds.clients.entrySet()) {
            List<Struct> structs = clients.get(e.getKey());
            List<long[]> dels = e.getValue();
            for (int di = dels.size() - 1; di >= 0; di--) {
                long[] d = dels.get(di);
                long end = d[0] + d[1];
                for (int si = findIndex(structs, d[0]); si < structs.size() && structs.get(si).clock < end; si++) {
                    if (structs.get(si) instanceof Item item && item.deleted && !item.keep) {
                        item.gc(this, false);
                    }
                }
            }
        }
        for (Map.Entry<Long, List<long[]>> e : ds.clients.entrySet()) {
            List<Struct> structs = clients.get(e.getKey());
            List<long[]> dels = e.getValue();
            for (int di = dels.size() - 1; di >= 0; di--) {
                long[] d = dels.get(di);
                int mostRight = Math.min(structs.size() - 1, 1 + findIndex(structs, d[0] + d[1] - 1));
                for (int si = mostRight; si > 0 && structs.get(si).clock >= d[0]; ) {
                    si -= 1 + tryToMergeWithLefts(structs, si);
                }
            }
        }
        for (Map.Entry<Long, Long> e : stateVector().entrySet()) {
            long before = t.beforeState.getOrDefault(e.getKey(), 0L);
            if (before != e.getValue()) {
                List<Struct> structs = clients.get(e.getKey());
                int first = Math.max(findIndex(structs, before), 1);
                for (int i = structs.size() - 1; i >= first; ) {
                    i -= 1 + tryToMergeWithLefts(structs, i);
                }
            }
        }
        for (int i = t.mergeStructs.size() - 1; i >= 0; i--) {
            Item m = t.mergeStructs.get(i);
            List<Struct> structs = clients.get(m.client);
            int pos = findIndex(structs, m.clock);
            if (pos + 1 < structs.size() && tryToMergeWithLefts(structs, pos + 1) > 1) {
                continue;
            }
            if (pos > 0) {
                tryToMergeWithLefts(structs, pos);
            }
        }
    }

    private static int tryToMergeWithLefts(List<Struct> structs, int pos) {
        int i = pos;
        while (i > 0) {
            Struct right = structs.get(i);
            Struct left = structs.get(i - 1);
            if (left.deleted() == right.deleted() && left.getClass() == right.getClass() && left.mergeWith(right)) {
                if (right instanceof Item r && r.parentSub != null && r.parentType().map.get(r.parentSub) == r) {
                    r.parentType().map.put(r.parentSub, (Item) left);
                }
                i--;
                continue;
            }
            break;
        }
        int merged = pos - i;
        if (merged > 0) {
            structs.subList(pos + 1 - merged, pos + 1).clear();
        }
        return merged;
    }

    // ---------------------------------------------------------------- encoding

    static Map<Long, Long> decodeStateVector(byte[] sv) {
        Lib0Decoder d = new Lib0Decoder(sv);
        Map<Long, Long> m = new HashMap<>();
        long n = d.readVarUint();
        for (long i = 0; i < n; i++) {
            long client = d.readVarUint();
            m.put(client, d.readVarUint());
        }
        return m;
    }

    /**
     * Writes, per client in descending order, the structs from the target's clock on (Yjs writeClientsStructs);
     * with {@code withPending}, the pending structs follow, gaps written as Skip structs.
     */
    private void writeStructs(Lib0Encoder e, Map<Long, Long> target, boolean withPending) {
        TreeSet<Long> ids = new TreeSet<>(Comparator.reverseOrder());
        ids.addAll(clients.keySet());
        Map<Long, List<Struct>> pendingStructs = withPending && pending != null ? pending.structs : Map.of();
        ids.addAll(pendingStructs.keySet());
        List<long[]> heads = new ArrayList<>();
        List<List<Struct>> bodies = new ArrayList<>();
        List<List<Long>> offsets = new ArrayList<>();
        for (long client : ids) {
            long next = target.getOrDefault(client, 0L);
            List<Struct> all = new ArrayList<>(clients.getOrDefault(client, new ArrayList<>()));
            all.addAll(pendingStructs.getOrDefault(client, List.of()));
            List<Struct> body = new ArrayList<>();
            List<Long> offs = new ArrayList<>();
            long start = -1;
            int from = 0;
            List<Struct> own = clients.get(client);
            if (own != null && next > 0 && next < getState(client)) {
                from = findIndex(own, next);
            }
            for (int k = from; k < all.size(); k++) {
                Struct s = all.get(k);
                if (s.end() <= next) {
                    continue;
                }
                if (start < 0) {
                    start = Math.max(next, s.clock);
                } else if (s.clock > next) {
                    body.add(new Struct.Skip(client, next, s.clock - next));
                    offs.add(0L);
                }
                offs.add(Math.max(0, next - s.clock));
                body.add(s);
                next = s.end();
            }
            if (!body.isEmpty()) {
                heads.add(new long[] {client, start});
                bodies.add(body);
                offsets.add(offs);
            }
        }
        e.writeVarUint(heads.size());
        for (int h = 0; h < heads.size(); h++) {
            List<Struct> body = bodies.get(h);
            e.writeVarUint(body.size());
            e.writeVarUint(heads.get(h)[0]);
            e.writeVarUint(heads.get(h)[1]);
            for (int k = 0; k < body.size(); k++) {
                body.get(k).write(e, offsets.get(h).get(k));
            }
        }
    }

    /** Yjs createDeleteSetFromStructStore: the deleted clock ranges of the store, adjacent ones joined. */
    private DeleteSet deleteSetFromStore() {
        DeleteSet ds = new DeleteSet();
        for (Map.Entry<Long, ArrayList<Struct>> e : clients.entrySet()) {
            List<Struct> structs = e.getValue();
            for (int i = 0; i < structs.size(); i++) {
                Struct s = structs.get(i);
                if (s.deleted()) {
                    long clock = s.clock;
                    long len = s.length;
                    while (i + 1 < structs.size() && structs.get(i + 1).deleted()) {
                        len += structs.get(++i).length;
                    }
                    ds.add(e.getKey(), clock, len);
                }
            }
        }
        return ds;
    }

    // ---------------------------------------------------------------- local Y.Text editing

    /** Yjs ItemTextListPosition: between left and right, index visible units in, with the attributes in force. */
    private static final class TextPosition {
        Item left;
        Item right;
        long index;
        final Map<String, String> attributes = new HashMap<>();

        TextPosition(Item left, Item right) {
            this.left = left;
            this.right = right;
        }

        void forward() {
            if (right.content instanceof Content.Format f) {
                if (!right.deleted) {
                    updateAttributes(attributes, f);
                }
            } else if (!right.deleted) {
                index += right.length;
            }
            left = right;
            right = right.right;
        }
    }

    private static void updateAttributes(Map<String, String> attrs, Content.Format f) {
        if (JSON_NULL.equals(f.valueJson)) {
            attrs.remove(f.key);
        } else {
            attrs.put(f.key, f.valueJson);
        }
    }

    private TextPosition findPosition(Transaction t, YType type, long index) {
        TextPosition pos = new TextPosition(null, type.start);
        long count = index;
        while (pos.right != null && count > 0) {
            Item r = pos.right;
            if (r.content instanceof Content.Format f) {
                if (!r.deleted) {
                    updateAttributes(pos.attributes, f);
                }
            } else if (!r.deleted) {
                if (count < r.length) {
                    getItemCleanStart(t, new Id(r.client, r.clock + count));
                }
                pos.index += r.length;
                count -= r.length;
            }
            pos.left = pos.right;
            pos.right = pos.right.right;
        }
        return pos;
    }

    private void insertText(Transaction t, YType type, TextPosition pos, String text, long clientId) {
        Map<String, String> attributes = new HashMap<>(pos.attributes);
        while (pos.right != null && (pos.right.deleted || (pos.right.content instanceof Content.Format f
                && attributes.getOrDefault(f.key, JSON_NULL).equals(f.valueJson)))) {
            pos.forward();
        }
        Item left = pos.left;
        Item right = pos.right;
        Item item = new Item(clientId, getState(clientId), left, left == null ? null : left.lastId(), right,
                right == null ? null : right.id(), type, null, new Content.Str(text));
        item.integrate(t, 0);
    }

    private void deleteText(Transaction t, TextPosition pos, long length) {
        long remaining = length;
        while (remaining > 0 && pos.right != null) {
            Item r = pos.right;
            if (!r.deleted && (r.content instanceof Content.Str || r.content instanceof Content.Embed
                    || r.content instanceof Content.Type)) {
                if (remaining < r.length) {
                    getItemCleanStart(t, new Id(r.client, r.clock + remaining));
                }
                remaining -= r.length;
                r.delete(t);
            }
            pos.forward();
        }
    }
}
