package dev.sandpit.gateway.collab.ydoc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Durable state stays small: 10,000 keystrokes fold into a few structs. */
class YDocCompactionTest {
    /** yjs: 31,216 bytes and 1,834 structs for these 10,000 keystrokes (7,950 chars left, 10,845 UTF-8 bytes). */
    private static final int TYPING_MERGED_MAX_BYTES = 32_000;
    private static final int TYPING_MAX_STRUCTS = 1_900;
    private static final long TYPING_MAX_HEAP_ESTIMATE_BYTES = 250_000;
    private static final int LOCAL_TYPING_EDITS = 10_000;
    private static final int LOCAL_TYPING_MERGED_MAX_BYTES = 10_100;

    @Test
    void tenThousandKeystrokesMergeIntoOneSmallUpdateIdenticalToYjs() {
        JsonNode f = YFixtures.read(YFixtures.DIR.resolve("sync-typing-10000.json"));
        List<byte[]> updates = YFixtures.updates(f);
        assertEquals(10_000, updates.size());
        long inputBytes = updates.stream().mapToLong(u -> u.length).sum();
        long t0 = System.nanoTime();
        YDoc doc = new YDoc();
        updates.forEach(doc::applyUpdate);
        long applyMs = (System.nanoTime() - t0) / 1_000_000;
        byte[] merged = doc.encodeStateAsUpdate();
        System.out.printf("typing-10000: %d updates, %d bytes in; merged %d bytes, %d structs, heap estimate %d bytes,"
                + " applyUpdate x10000 took %d ms%n", updates.size(), inputBytes, merged.length, doc.structCount(),
                doc.sizeEstimateBytes(), applyMs);
        assertEquals(f.get("final").get("state").asText(), YFixtures.b64(merged));
        assertTrue(merged.length <= TYPING_MERGED_MAX_BYTES, "merged state " + merged.length + " bytes");
        assertTrue(doc.structCount() <= TYPING_MAX_STRUCTS, doc.structCount() + " structs");
        assertTrue(doc.sizeEstimateBytes() <= TYPING_MAX_HEAP_ESTIMATE_BYTES, doc.sizeEstimateBytes() + " bytes");
        assertArrayEquals(merged, YDoc.mergeUpdates(updates));
    }

    @Test
    void tenThousandLocalSingleCharacterReplacementsStayOneStructPerRun() {
        YDoc doc = new YDoc();
        YDoc peer = new YDoc();
        StringBuilder text = new StringBuilder();
        List<byte[]> updates = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int i = 0; i < LOCAL_TYPING_EDITS; i++) {
            text.append((char) ('a' + i % 26));
            byte[] u = doc.replaceText("content", text.toString(), 42);
            updates.add(u);
            peer.applyUpdate(u);
        }
        long editMs = (System.nanoTime() - t0) / 1_000_000;
        byte[] merged = YDoc.mergeUpdates(updates);
        System.out.printf("local typing: %d replaceText edits (+ applyUpdate on a peer) in %d ms, merged %d bytes,"
                + " %d structs%n", LOCAL_TYPING_EDITS, editMs, merged.length, doc.structCount());
        assertEquals(text.toString(), peer.text("content"));
        assertEquals(1, doc.structCount(), "appending keystrokes of one client merge into one item");
        assertTrue(merged.length <= LOCAL_TYPING_MERGED_MAX_BYTES, merged.length + " bytes");
    }

    @Test
    void deletedTextIsDroppedFromTheStateLeavingOnlyLengths() {
        YDoc doc = new YDoc();
        doc.replaceText("content", "x".repeat(5_000), 1);
        int full = doc.encodeStateAsUpdate().length;
        doc.replaceText("content", "", 1);
        byte[] after = doc.encodeStateAsUpdate();
        assertTrue(full > 5_000, full + " bytes");
        assertTrue(after.length < 32, "a deleted 5,000-char text leaves " + after.length + " bytes");
        YDoc reloaded = new YDoc();
        reloaded.applyUpdate(after);
        assertEquals("", reloaded.text("content"));
    }
}
