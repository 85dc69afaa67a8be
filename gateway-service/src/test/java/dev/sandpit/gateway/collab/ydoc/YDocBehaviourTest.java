package dev.sandpit.gateway.collab.ydoc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Properties of the doc beyond the yjs fixtures: delivery order, pending deletes, malformed input. */
class YDocBehaviourTest {
    private static final String ROOT = "content";

    @Test
    void anyDeliveryOrderOfTheSameUpdatesConvergesToTheSameState() {
        YDoc a = new YDoc();
        YDoc b = new YDoc();
        List<byte[]> updates = new ArrayList<>();
        updates.add(a.replaceText(ROOT, "hello world", 1));
        b.applyUpdate(updates.get(0));
        updates.add(a.replaceText(ROOT, "hello big world", 1));
        updates.add(b.replaceText(ROOT, "hello world 😀", 2));
        updates.add(a.replaceText(ROOT, "hi big world", 1));
        a.applyUpdate(updates.get(2));
        updates.add(a.replaceText(ROOT, a.text(ROOT) + "!", 1));
        YDoc ordered = new YDoc();
        updates.forEach(ordered::applyUpdate);
        Random r = new Random(3);
        for (int round = 0; round < 20; round++) {
            List<byte[]> shuffled = new ArrayList<>(updates);
            Collections.shuffle(shuffled, r);
            YDoc d = new YDoc();
            shuffled.forEach(d::applyUpdate);
            assertEquals(ordered.text(ROOT), d.text(ROOT));
            assertArrayEquals(ordered.encodeStateAsUpdate(), d.encodeStateAsUpdate());
            assertFalse(d.hasPending());
        }
        assertEquals("hi big world 😀!", ordered.text(ROOT));
    }

    @Test
    void aDeleteOfTextNotYetReceivedWaitsAndAppliesWhenTheTextArrives() {
        YDoc author = new YDoc();
        byte[] insert = author.replaceText(ROOT, "abcdef", 5);
        byte[] delete = author.replaceText(ROOT, "af", 5);
        YDoc d = new YDoc();
        d.applyUpdate(delete);
        assertTrue(d.hasPending());
        assertEquals("", d.text(ROOT));
        YDoc fromPendingState = new YDoc();
        fromPendingState.applyUpdate(d.encodeStateAsUpdate());
        d.applyUpdate(insert);
        assertEquals("af", d.text(ROOT));
        assertFalse(d.hasPending());
        fromPendingState.applyUpdate(insert);
        assertEquals("af", fromPendingState.text(ROOT), "pending deletes survive encodeStateAsUpdate");
    }

    @Test
    void applyingTheSameUpdateTwiceChangesNothing() {
        YDoc a = new YDoc();
        byte[] u = a.replaceText(ROOT, "twice", 9);
        YDoc d = new YDoc();
        d.applyUpdate(u);
        byte[] once = d.encodeStateAsUpdate();
        d.applyUpdate(u);
        d.applyUpdate(once);
        assertArrayEquals(once, d.encodeStateAsUpdate());
    }

    @Test
    void stateVectorDiffOfAnUpToDatePeerCarriesNoStructs() {
        YDoc a = new YDoc();
        a.replaceText(ROOT, "same", 9);
        byte[] diff = a.encodeStateAsUpdate(a.encodeStateVector());
        assertEquals(0, diff[0], "no client blocks");
        YDoc d = new YDoc();
        d.applyUpdate(a.encodeStateAsUpdate());
        d.applyUpdate(diff);
        assertEquals("same", d.text(ROOT));
    }

    @Test
    void malformedUpdatesFailWithIllegalArgument() {
        YDoc d = new YDoc();
        assertThrows(IllegalArgumentException.class, () -> d.applyUpdate(new byte[] {1}));
        // one block, one struct, client 1, clock 0, info with unknown content ref 20
        assertThrows(IllegalArgumentException.class, () -> d.applyUpdate(new byte[] {1, 1, 1, 0, 20}));
        assertEquals("", d.text(ROOT));
        assertArrayEquals(new byte[] {0}, d.encodeStateVector());
    }

    @Test
    void corruptedUpdatesEitherApplyOrFailWithIllegalArgumentNeverAnythingElse() {
        YDoc source = new YDoc();
        List<byte[]> updates = new ArrayList<>();
        updates.add(source.replaceText(ROOT, "hello wörld 😀", 3));
        updates.add(source.replaceText(ROOT, "hello big wörld 😀", 4));
        updates.add(source.replaceText(ROOT, "hi wörld", 3));
        updates.add(source.encodeStateAsUpdate());
        Random r = new Random(11);
        int failed = 0;
        int applied = 0;
        for (int round = 0; round < 3_000; round++) {
            byte[] u = updates.get(r.nextInt(updates.size())).clone();
            for (int k = 1 + r.nextInt(3); k > 0; k--) {
                u[r.nextInt(u.length)] = (byte) r.nextInt(256);
            }
            YDoc d = new YDoc();
            d.applyUpdate(updates.get(0));
            try {
                d.applyUpdate(u);
                d.encodeStateAsUpdate();
                d.text(ROOT);
                applied++;
            } catch (IllegalArgumentException expected) {
                failed++;
            }
        }
        assertTrue(failed > 0 && applied > 0, failed + " failed, " + applied + " applied");
    }

    @Test
    void aDocThatFailedHalfwayRefusesFurtherUse() {
        YDoc d = new YDoc();
        d.replaceText(ROOT, "ab", 1);
        // client 2 item at clock 0 whose origin is its own clock 5: cannot exist
        byte[] bad = {1, 1, 2, 0, (byte) 0x84, 2, 5, 1, 'x', 0};
        assertThrows(IllegalArgumentException.class, () -> d.applyUpdate(bad));
        assertThrows(IllegalStateException.class, () -> d.text(ROOT));
    }
}
