package dev.sandpit.gateway.collab.ydoc;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** What one change did: the state before, the clocks it deleted and the items it split (to re-merge after). */
final class Transaction {
    final YDoc doc;
    final Map<Long, Long> beforeState;
    final DeleteSet deleteSet = new DeleteSet();
    final List<Item> mergeStructs = new ArrayList<>();

    Transaction(YDoc doc) {
        this.doc = doc;
        this.beforeState = doc.stateVector();
    }
}
