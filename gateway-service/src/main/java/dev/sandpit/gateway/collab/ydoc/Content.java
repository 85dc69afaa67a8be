package dev.sandpit.gateway.collab.ydoc;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;

/** An item's content (Yjs AbstractContent). Refs 1..9 on the wire; see each subclass. */
abstract class Content {
    static final int REF_DELETED = 1;
    static final int REF_JSON = 2;
    static final int REF_BINARY = 3;
    static final int REF_STRING = 4;
    static final int REF_EMBED = 5;
    static final int REF_FORMAT = 6;
    static final int REF_TYPE = 7;
    static final int REF_ANY = 8;
    static final int REF_DOC = 9;
    private static final char REPLACEMENT_CHAR = '\uFFFD';

    abstract int ref();

    abstract long length();

    abstract boolean countable();

    /** Cuts this content at {@code offset}: this keeps the left part, the right part is returned. */
    abstract Content splice(long offset);

    /** Appends {@code right} (same class) to this when the kind allows merging; true when it did. */
    abstract boolean mergeWith(Content right);

    abstract void write(Lib0Encoder e, long offset);

    void integrate(Transaction t, Item item) {
    }

    void delete(Transaction t) {
    }

    void gc(YDoc doc) {
    }

    static Content read(Lib0Decoder d, int ref) {
        switch (ref) {
            case REF_DELETED:
                return new Deleted(d.readVarUint());
            case REF_JSON: {
                long n = d.readVarUint();
                List<String> l = new ArrayList<>();
                for (long i = 0; i < n; i++) {
                    l.add(d.readVarString());
                }
                return new Json(l);
            }
            case REF_BINARY:
                return new Binary(d.readVarUint8Array());
            case REF_STRING:
                return new Str(d.readVarString());
            case REF_EMBED:
                return new Embed(d.readVarString());
            case REF_FORMAT:
                return new Format(d.readVarString(), d.readVarString());
            case REF_TYPE:
                return new Type(YType.read(d));
            case REF_ANY: {
                long n = d.readVarUint();
                List<Object> l = new ArrayList<>();
                for (long i = 0; i < n; i++) {
                    l.add(d.readAny());
                }
                return new Any(l);
            }
            case REF_DOC:
                return new Doc(d.readVarString(), d.readAny());
            default:
                throw new IllegalArgumentException("unknown Yjs content ref " + ref);
        }
    }

    /** Content of a deleted item: only its length. Not countable. */
    static final class Deleted extends Content {
        long len;

        Deleted(long len) {
            this.len = len;
        }

        int ref() {
            return REF_DELETED;
        }

        long length() {
            return len;
        }

        boolean countable() {
            return false;
        }

        Content splice(long offset) {
            Deleted right = new Deleted(len - offset);
            len = offset;
            return right;
        }

        boolean mergeWith(Content right) {
            len += ((Deleted) right).len;
            return true;
        }

        void write(Lib0Encoder e, long offset) {
            e.writeVarUint(len - offset);
        }

        @Override
        void integrate(Transaction t, Item item) {
            t.deleteSet.add(item.client, item.clock, len);
            item.deleted = true;
        }
    }

    /** Text; length in UTF-16 units like JavaScript. */
    static final class Str extends Content {
        String str;

        Str(String str) {
            this.str = str;
        }

        int ref() {
            return REF_STRING;
        }

        long length() {
            return str.length();
        }

        boolean countable() {
            return true;
        }

        /** Like Yjs: a cut inside a surrogate pair turns both halves into U+FFFD. */
        Content splice(long offset) {
            int o = (int) offset;
            Str right = new Str(str.substring(o));
            str = str.substring(0, o);
            if (o > 0 && Character.isHighSurrogate(str.charAt(o - 1))) {
                str = str.substring(0, o - 1) + REPLACEMENT_CHAR;
                right.str = REPLACEMENT_CHAR + right.str.substring(1);
            }
            return right;
        }

        boolean mergeWith(Content right) {
            str = str + ((Str) right).str;
            return true;
        }

        void write(Lib0Encoder e, long offset) {
            e.writeVarString(offset == 0 ? str : str.substring((int) offset));
        }
    }

    /** JSON values (old Y.Array content), kept as their JSON text. */
    static final class Json extends Content {
        List<String> items;

        Json(List<String> items) {
            this.items = items;
        }

        int ref() {
            return REF_JSON;
        }

        long length() {
            return items.size();
        }

        boolean countable() {
            return true;
        }

        Content splice(long offset) {
            Json right = new Json(new ArrayList<>(items.subList((int) offset, items.size())));
            items = new ArrayList<>(items.subList(0, (int) offset));
            return right;
        }

        boolean mergeWith(Content right) {
            List<String> l = new ArrayList<>(items);
            l.addAll(((Json) right).items);
            items = l;
            return true;
        }

        void write(Lib0Encoder e, long offset) {
            e.writeVarUint(items.size() - offset);
            for (int i = (int) offset; i < items.size(); i++) {
                e.writeVarString(items.get(i));
            }
        }
    }

    /** A Uint8Array value; length 1. */
    static final class Binary extends Content {
        final byte[] bytes;

        Binary(byte[] bytes) {
            this.bytes = bytes;
        }

        int ref() {
            return REF_BINARY;
        }

        long length() {
            return 1;
        }

        boolean countable() {
            return true;
        }

        Content splice(long offset) {
            throw new IllegalStateException("binary content cannot be split");
        }

        boolean mergeWith(Content right) {
            return false;
        }

        void write(Lib0Encoder e, long offset) {
            e.writeVarUint8Array(bytes);
        }
    }

    /** A Y.Text embed (JSON text); length 1, countable, not part of toString(). */
    static final class Embed extends Content {
        final String json;

        Embed(String json) {
            this.json = json;
        }

        int ref() {
            return REF_EMBED;
        }

        long length() {
            return 1;
        }

        boolean countable() {
            return true;
        }

        Content splice(long offset) {
            throw new IllegalStateException("embed content cannot be split");
        }

        boolean mergeWith(Content right) {
            return false;
        }

        void write(Lib0Encoder e, long offset) {
            e.writeVarString(json);
        }
    }

    /** A Y.Text formatting mark (key, JSON value); length 1, not countable. */
    static final class Format extends Content {
        final String key;
        final String valueJson;

        Format(String key, String valueJson) {
            this.key = key;
            this.valueJson = valueJson;
        }

        int ref() {
            return REF_FORMAT;
        }

        long length() {
            return 1;
        }

        boolean countable() {
            return false;
        }

        Content splice(long offset) {
            throw new IllegalStateException("format content cannot be split");
        }

        boolean mergeWith(Content right) {
            return false;
        }

        void write(Lib0Encoder e, long offset) {
            e.writeVarString(key);
            e.writeVarString(valueJson);
        }
    }

    /** A nested shared type; length 1. */
    static final class Type extends Content {
        final YType type;

        Type(YType type) {
            this.type = type;
        }

        int ref() {
            return REF_TYPE;
        }

        long length() {
            return 1;
        }

        boolean countable() {
            return true;
        }

        Content splice(long offset) {
            throw new IllegalStateException("type content cannot be split");
        }

        boolean mergeWith(Content right) {
            return false;
        }

        void write(Lib0Encoder e, long offset) {
            type.write(e);
        }

        @Override
        void integrate(Transaction t, Item item) {
            type.item = item;
        }

        /** Deleting a type deletes everything in it (Yjs ContentType.delete). */
        @Override
        void delete(Transaction t) {
            for (Item i = type.start; i != null; i = i.right) {
                if (!i.deleted) {
                    i.delete(t);
                } else if (i.clock < t.beforeState.getOrDefault(i.client, 0L)) {
                    t.mergeStructs.add(i);
                }
            }
            for (Item i : type.map.values()) {
                if (!i.deleted) {
                    i.delete(t);
                } else if (i.clock < t.beforeState.getOrDefault(i.client, 0L)) {
                    t.mergeStructs.add(i);
                }
            }
        }

        /** A collected type's children become GC ranges. */
        @Override
        void gc(YDoc doc) {
            for (Item i = type.start; i != null; i = i.right) {
                i.gc(doc, true);
            }
            type.start = null;
            for (Item i : type.map.values()) {
                for (Item j = i; j != null; j = j.left) {
                    j.gc(doc, true);
                }
            }
            type.map = new HashMap<>();
        }
    }

    /** Plain values (Y.Array / Y.Map content). */
    static final class Any extends Content {
        List<Object> values;

        Any(List<Object> values) {
            this.values = values;
        }

        int ref() {
            return REF_ANY;
        }

        long length() {
            return values.size();
        }

        boolean countable() {
            return true;
        }

        Content splice(long offset) {
            Any right = new Any(new ArrayList<>(values.subList((int) offset, values.size())));
            values = new ArrayList<>(values.subList(0, (int) offset));
            return right;
        }

        boolean mergeWith(Content right) {
            List<Object> l = new ArrayList<>(values);
            l.addAll(((Any) right).values);
            values = l;
            return true;
        }

        void write(Lib0Encoder e, long offset) {
            e.writeVarUint(values.size() - offset);
            for (int i = (int) offset; i < values.size(); i++) {
                e.writeAny(values.get(i));
            }
        }
    }

    /** A sub-document reference (guid and options); kept, never loaded. */
    static final class Doc extends Content {
        final String guid;
        final Object opts;

        Doc(String guid, Object opts) {
            this.guid = guid;
            this.opts = opts;
        }

        int ref() {
            return REF_DOC;
        }

        long length() {
            return 1;
        }

        boolean countable() {
            return true;
        }

        Content splice(long offset) {
            throw new IllegalStateException("doc content cannot be split");
        }

        boolean mergeWith(Content right) {
            return false;
        }

        void write(Lib0Encoder e, long offset) {
            e.writeVarString(guid);
            e.writeAny(opts);
        }
    }
}
