package dev.sandpit.gateway.collab.ydoc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The Java YDoc against what the real yjs did with the same updates (fixtures sync-*.json). */
class YDocDifferentialTest {

    static Stream<Path> syncFixtures() {
        return YFixtures.files("sync-").stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("syncFixtures")
    void textAndStateVectorMatchYjsAfterEveryDeliveredUpdate(Path file) {
        JsonNode f = YFixtures.read(file);
        List<byte[]> updates = YFixtures.updates(f);
        YDoc doc = new YDoc();
        int applied = 0;
        for (JsonNode step : f.get("steps")) {
            int after = step.get("after").asInt();
            while (applied < after) {
                doc.applyUpdate(updates.get(applied++));
            }
            String where = file.getFileName() + " after " + after + " updates";
            assertEquals(step.get("text").asText(), doc.text("content"), where);
            assertArrayEquals(YFixtures.bytes(step.get("sv")), doc.encodeStateVector(), where);
            assertEquals(step.get("pending").asBoolean(), doc.hasPending(), where + ": pending");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("syncFixtures")
    void encodedStateIsByteIdenticalToYjsWheneverNothingIsPending(Path file) {
        JsonNode f = YFixtures.read(file);
        List<byte[]> updates = YFixtures.updates(f);
        YDoc doc = new YDoc();
        int applied = 0;
        int compared = 0;
        for (JsonNode step : f.get("steps")) {
            int after = step.get("after").asInt();
            while (applied < after) {
                doc.applyUpdate(updates.get(applied++));
            }
            if (step.has("state") && !step.get("pending").asBoolean()) {
                assertEquals(YFixtures.b64(YFixtures.bytes(step.get("state"))), YFixtures.b64(doc.encodeStateAsUpdate()),
                        file.getFileName() + " after " + after + " updates");
                compared++;
            }
        }
        assertEquals(true, compared > 0, "the final step has a state without pending structs");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("syncFixtures")
    void encodedStateReloadsIntoAFreshDocAsInYjsEvenWithPendingStructs(Path file) {
        JsonNode f = YFixtures.read(file);
        List<byte[]> updates = YFixtures.updates(f);
        YDoc doc = new YDoc();
        int applied = 0;
        for (JsonNode step : f.get("steps")) {
            int after = step.get("after").asInt();
            while (applied < after) {
                doc.applyUpdate(updates.get(applied++));
            }
            YDoc reloaded = new YDoc();
            reloaded.applyUpdate(doc.encodeStateAsUpdate());
            String where = file.getFileName() + " after " + after + " updates";
            // while structs are pending, a reload may integrate some the live doc still holds back (yjs does too)
            assertEquals(step.get("reloadText").asText(), reloaded.text("content"), where);
            if (!doc.hasPending()) {
                assertArrayEquals(doc.encodeStateVector(), reloaded.encodeStateVector(), where);
                assertArrayEquals(doc.encodeStateAsUpdate(), reloaded.encodeStateAsUpdate(), where);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("syncFixtures")
    void yjsStateLoadsAndReencodesByteForByte(Path file) {
        JsonNode fin = YFixtures.read(file).get("final");
        byte[] yjsState = YFixtures.bytes(fin.get("state"));
        YDoc doc = new YDoc();
        doc.applyUpdate(yjsState);
        assertEquals(fin.get("text").asText(), doc.text("content"));
        assertArrayEquals(YFixtures.bytes(fin.get("sv")), doc.encodeStateVector());
        assertEquals(YFixtures.b64(yjsState), YFixtures.b64(doc.encodeStateAsUpdate()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("syncFixtures")
    void mergeUpdatesFoldsAllUpdatesIntoYjsFinalState(Path file) {
        JsonNode f = YFixtures.read(file);
        byte[] merged = YDoc.mergeUpdates(YFixtures.updates(f));
        assertEquals(f.get("final").get("state").asText(), YFixtures.b64(merged));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("syncFixtures")
    void diffForAPeersStateVectorBringsThatPeerToTheFinalText(Path file) {
        JsonNode f = YFixtures.read(file);
        JsonNode diff = f.get("diff");
        if (diff == null) {
            return;
        }
        YDoc full = new YDoc();
        YFixtures.updates(f).forEach(full::applyUpdate);
        byte[] javaDiff = full.encodeStateAsUpdate(YFixtures.bytes(diff.get("sv")));
        assertEquals(diff.get("update").asText(), YFixtures.b64(javaDiff), "same diff bytes as yjs");
        YDoc peer = new YDoc();
        peer.applyUpdate(YFixtures.bytes(diff.get("base")));
        peer.applyUpdate(javaDiff);
        assertEquals(f.get("final").get("text").asText(), peer.text("content"));
        assertFalse(peer.hasPending());
        assertArrayEquals(full.encodeStateVector(), peer.encodeStateVector());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("syncFixtures")
    void yjsMergedUpdateWithGapsLoadsLikeInYjs(Path file) {
        JsonNode sparse = YFixtures.read(file).get("sparseMerge");
        if (sparse == null) {
            return;
        }
        YDoc doc = new YDoc();
        doc.applyUpdate(YFixtures.bytes(sparse.get("update")));
        assertEquals(sparse.get("text").asText(), doc.text("content"));
        assertArrayEquals(YFixtures.bytes(sparse.get("sv")), doc.encodeStateVector());
        assertEquals(sparse.get("pending").asBoolean(), doc.hasPending());
        YDoc reloaded = new YDoc();
        reloaded.applyUpdate(doc.encodeStateAsUpdate());
        assertEquals(sparse.get("reloadText").asText(), reloaded.text("content"));
    }
}
