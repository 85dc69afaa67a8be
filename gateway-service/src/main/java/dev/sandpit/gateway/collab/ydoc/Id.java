package dev.sandpit.gateway.collab.ydoc;

/** A Yjs ID: the client that made a struct and the clock (per-client UTF-16 unit counter) of its first unit. */
record Id(long client, long clock) {
    static boolean same(Id a, Id b) {
        return a == b || (a != null && a.equals(b));
    }
}
