package dev.sandpit.gateway.collab.ydoc;

/** A run of consecutive clocks of one client in the struct store: an {@link Item}, a GC range or a Skip range. */
abstract class Struct {
    static final int REF_GC = 0;
    static final int REF_SKIP = 10;

    final long client;
    long clock;
    long length;

    Struct(long client, long clock, long length) {
        this.client = client;
        this.clock = clock;
        this.length = length;
    }

    long end() {
        return clock + length;
    }

    Id id() {
        return new Id(client, clock);
    }

    abstract boolean deleted();

    /** Yjs mergeWith: absorbs {@code right} into this struct when allowed; true when it did. */
    abstract boolean mergeWith(Struct right);

    /** Writes this struct from {@code offset} units in (the first offset units are left out). */
    abstract void write(Lib0Encoder enc, long offset);

    /** Garbage-collected range: only its length survives. */
    static final class Gc extends Struct {
        Gc(long client, long clock, long length) {
            super(client, clock, length);
        }

        @Override
        boolean deleted() {
            return true;
        }

        @Override
        boolean mergeWith(Struct right) {
            if (!(right instanceof Gc)) {
                return false;
            }
            length += right.length;
            return true;
        }

        @Override
        void write(Lib0Encoder enc, long offset) {
            enc.writeUint8(REF_GC);
            enc.writeVarUint(length - offset);
        }
    }

    /** A gap in an update (clocks the update does not carry); never integrated. */
    static final class Skip extends Struct {
        Skip(long client, long clock, long length) {
            super(client, clock, length);
        }

        @Override
        boolean deleted() {
            return true;
        }

        @Override
        boolean mergeWith(Struct right) {
            if (!(right instanceof Skip)) {
                return false;
            }
            length += right.length;
            return true;
        }

        @Override
        void write(Lib0Encoder enc, long offset) {
            enc.writeUint8(REF_SKIP);
            enc.writeVarUint(length - offset);
        }
    }
}
