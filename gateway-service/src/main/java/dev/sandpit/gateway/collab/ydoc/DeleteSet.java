package dev.sandpit.gateway.collab.ydoc;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Yjs DeleteSet: per client, ranges [clock, clock+len) of deleted clocks. */
final class DeleteSet {
    final Map<Long, List<long[]>> clients = new LinkedHashMap<>();

    void add(long client, long clock, long len) {
        clients.computeIfAbsent(client, c -> new ArrayList<>()).add(new long[] {clock, len});
    }

    boolean isEmpty() {
        return clients.isEmpty();
    }

    /** Sorts each client's ranges and joins touching or overlapping ones. */
    void sortAndMerge() {
        for (List<long[]> dels : clients.values()) {
            dels.sort(Comparator.comparingLong(a -> a[0]));
            List<long[]> out = new ArrayList<>(dels.size());
            for (long[] d : dels) {
                if (!out.isEmpty()) {
                    long[] left = out.get(out.size() - 1);
                    if (left[0] + left[1] >= d[0]) {
                        left[1] = Math.max(left[1], d[0] + d[1] - left[0]);
                        continue;
                    }
                }
                out.add(new long[] {d[0], d[1]});
            }
            dels.clear();
            dels.addAll(out);
        }
    }

    /** Writes clients in descending order, as Yjs writeDeleteSet does. */
    void write(Lib0Encoder e) {
        List<Long> ids = new ArrayList<>(clients.keySet());
        ids.sort(Comparator.reverseOrder());
        e.writeVarUint(ids.size());
        for (long client : ids) {
            List<long[]> dels = clients.get(client);
            e.writeVarUint(client);
            e.writeVarUint(dels.size());
            for (long[] d : dels) {
                e.writeVarUint(d[0]);
                e.writeVarUint(d[1]);
            }
        }
    }

    static DeleteSet read(Lib0Decoder d) {
        DeleteSet ds = new DeleteSet();
        long n = d.readVarUint();
        for (long i = 0; i < n; i++) {
            long client = d.readVarUint();
            long count = d.readVarUint();
            for (long j = 0; j < count; j++) {
                long clock = d.readVarUint();
                long len = d.readVarUint();
                ds.add(client, clock, len);
            }
        }
        return ds;
    }
}
