package dev.sandpit.gateway.collab.ydoc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** replaceText (a REST write of a whole new text) makes the same update yjs makes for that edit. */
class YDocReplaceTextTest {
    private static final String ROOT = "content";
    private static final long NODE_TIMEOUT_S = 60;
    private static final Path JAVA_CHECK_FIXTURE = YFixtures.DIR.resolve("java-replace-checked-by-yjs.json");
    private static final String[] PIECES = {"a", "bc", " ", "\n", "é", "中文", "😀", "👍🏽", "𝄞x", "\u0301"};

    static Stream<Path> replaceFixtures() {
        return YFixtures.files("replace-").stream();
    }

    /**
     * Texts without formatting marks. Next to marks, yjs's insert position depends on its search-marker cache
     * (which this implementation does not keep), so there only the resulting text is compared, and yjs applies
     * the Java-made updates ({@link #yjsAppliesJavaMadeUpdatesToTheNewText}).
     */
    static Stream<Path> plainReplaceFixtures() {
        return replaceFixtures().filter(p -> !p.getFileName().toString().contains("formatted"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("plainReplaceFixtures")
    void replaceTextMakesByteForByteTheUpdateYjsMakesForTheSameEdit(Path file) {
        JsonNode f = YFixtures.read(file);
        YDoc doc = new YDoc();
        doc.applyUpdate(YFixtures.bytes(f.get("base")));
        int i = 0;
        for (JsonNode edit : f.get("edits")) {
            String where = file.getFileName() + " edit " + i++;
            byte[] update = doc.replaceText(ROOT, edit.get("newText").asText(), edit.get("clientId").asLong());
            assertEquals(edit.get("update").asText(), YFixtures.b64(update), where);
            assertEquals(edit.get("newText").asText(), doc.text(ROOT), where);
            if (edit.has("state")) {
                assertEquals(edit.get("state").asText(), YFixtures.b64(doc.encodeStateAsUpdate()), where);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("replaceFixtures")
    void replaceTextGivesTheNewTextAlsoOnFormattedText(Path file) {
        JsonNode f = YFixtures.read(file);
        YDoc doc = new YDoc();
        doc.applyUpdate(YFixtures.bytes(f.get("base")));
        for (JsonNode edit : f.get("edits")) {
            doc.replaceText(ROOT, edit.get("newText").asText(), edit.get("clientId").asLong());
            assertEquals(edit.get("newText").asText(), doc.text(ROOT));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("replaceFixtures")
    void replaceTextUpdatesGiveAnotherJavaDocTheNewText(Path file) {
        JsonNode f = YFixtures.read(file);
        YDoc editor = new YDoc();
        YDoc peer = new YDoc();
        editor.applyUpdate(YFixtures.bytes(f.get("base")));
        peer.applyUpdate(YFixtures.bytes(f.get("base")));
        for (JsonNode edit : f.get("edits")) {
            peer.applyUpdate(editor.replaceText(ROOT, edit.get("newText").asText(), edit.get("clientId").asLong()));
            assertEquals(edit.get("newText").asText(), peer.text(ROOT));
        }
        assertArrayEquals(editor.encodeStateAsUpdate(), peer.encodeStateAsUpdate());
    }

    @Test
    void replaceTextOnAnEmptyDocCreatesTheRootText() {
        YDoc doc = new YDoc();
        byte[] u = doc.replaceText(ROOT, "hello 😀", 7);
        YDoc other = new YDoc();
        other.applyUpdate(u);
        assertEquals("hello 😀", other.text(ROOT));
        assertEquals("", other.text("absent"));
    }

    @Test
    void replaceTextWithTheSameTextMakesAnEmptyUpdate() {
        YDoc doc = new YDoc();
        doc.replaceText(ROOT, "same", 7);
        byte[] before = doc.encodeStateAsUpdate();
        assertArrayEquals(new byte[] {0, 0}, doc.replaceText(ROOT, "same", 8));
        assertArrayEquals(before, doc.encodeStateAsUpdate());
    }

    @Test
    void replaceTextNeverCutsASurrogatePairInHalf() {
        YDoc doc = new YDoc();
        doc.replaceText(ROOT, "a😀b", 1);
        // 😀 (D83D DE00) and 😁 (D83D DE01) share the high surrogate: a naive prefix diff would split it
        doc.replaceText(ROOT, "a😁b", 2);
        assertEquals("a😁b", doc.text(ROOT));
        assertFalse(doc.text(ROOT).contains("\uFFFD"));
        YDoc reloaded = new YDoc();
        reloaded.applyUpdate(doc.encodeStateAsUpdate());
        assertEquals("a😁b", reloaded.text(ROOT));
    }

    @Test
    void concurrentReplacementsFromTwoServersMergeWithoutLosingEitherEdit() {
        YDoc a = new YDoc();
        byte[] base = a.replaceText(ROOT, "line one\nline two\n", 10);
        YDoc b = new YDoc();
        b.applyUpdate(base);
        byte[] ua = a.replaceText(ROOT, "line ONE\nline two\n", 11);
        byte[] ub = b.replaceText(ROOT, "line one\nline two\nline three\n", 12);
        a.applyUpdate(ub);
        b.applyUpdate(ua);
        assertEquals("line ONE\nline two\nline three\n", a.text(ROOT));
        assertArrayEquals(a.encodeStateAsUpdate(), b.encodeStateAsUpdate());
    }

    /** Java-made edits of random texts (deterministic seed) and Java-encoded pending states, for yjs to apply. */
    private static ObjectNode javaMadeCases() {
        ObjectNode root = YFixtures.JSON.createObjectNode();
        ArrayNode cases = root.putArray("cases");
        for (Path file : YFixtures.files("replace-")) {
            JsonNode f = YFixtures.read(file);
            Random r = new Random(file.getFileName().toString().hashCode());
            YDoc doc = new YDoc();
            byte[] base = YFixtures.bytes(f.get("base"));
            doc.applyUpdate(base);
            ObjectNode c = cases.addObject();
            c.put("name", file.getFileName().toString());
            c.put("base", YFixtures.b64(base));
            ArrayNode updates = c.putArray("updates");
            for (int i = 0; i < 25; i++) {
                String old = doc.text(ROOT);
                int at = r.nextInt(old.length() + 1);
                int end = Math.min(old.length(), at + r.nextInt(6));
                StringBuilder ins = new StringBuilder();
                for (int k = r.nextInt(4); k > 0; k--) {
                    ins.append(PIECES[r.nextInt(PIECES.length)]);
                }
                // splice by code points so the Java side never makes lone surrogates itself
                String next = cut(old, at) + ins + old.substring(cut(old, Math.max(at, end)).length());
                updates.add(YFixtures.b64(doc.replaceText(ROOT, next, 5000 + r.nextInt(3))));
            }
            c.put("expectedText", doc.text(ROOT));
        }
        // Java-encoded states with pending structs (gaps written as Skip structs), then the rest of the updates
        for (Path file : YFixtures.files("sync-concurrent-3c-late")) {
            JsonNode f = YFixtures.read(file);
            List<byte[]> updates = YFixtures.updates(f);
            YDoc doc = new YDoc();
            int k = 0;
            while (k < updates.size() && !(doc.hasPending() && k > updates.size() / 2)) {
                doc.applyUpdate(updates.get(k++));
            }
            if (!doc.hasPending()) {
                continue;
            }
            ObjectNode c = cases.addObject();
            c.put("name", file.getFileName() + " from a pending Java state after " + k + " updates");
            c.put("base", YFixtures.b64(doc.encodeStateAsUpdate()));
            ArrayNode rest = c.putArray("updates");
            updates.subList(k, updates.size()).forEach(u -> rest.add(YFixtures.b64(u)));
            c.put("expectedText", f.get("final").get("text").asText());
        }
        return root;
    }

    private static String cut(String s, int at) {
        int i = at;
        if (i > 0 && i < s.length() && Character.isLowSurrogate(s.charAt(i))) {
            i--;
        }
        return s.substring(0, i);
    }

    @Test
    void javaMadeUpdatesStillMatchTheOnesYjsCheckedAndYjsGotTheirTexts() throws IOException {
        JsonNode committed = YFixtures.JSON.readTree(JAVA_CHECK_FIXTURE.toFile());
        assertEquals(committed.get("cases"), javaMadeCases().get("cases"),
                "Java's replaceText output changed; rerun the node check (see " + JAVA_CHECK_FIXTURE + ")");
        for (JsonNode result : committed.get("results")) {
            assertTrue(result.get("ok").asBoolean(), result.get("name").asText());
        }
    }

    @Test
    void yjsAppliesJavaMadeUpdatesToTheNewText(@TempDir Path tmp) throws Exception {
        Path modules = YFixtures.NODE_DIR.resolve("node_modules").resolve("yjs");
        Assumptions.assumeTrue(Files.isDirectory(modules), "run npm install in " + YFixtures.NODE_DIR);
        Assumptions.assumeTrue(nodeAvailable(), "node is not on PATH");
        Path in = tmp.resolve("in.json");
        Path out = tmp.resolve("out.json");
        YFixtures.JSON.writerWithDefaultPrettyPrinter().writeValue(in.toFile(), javaMadeCases());
        Process p = new ProcessBuilder(List.of("node", "ydoc-fixtures.mjs", "check", in.toAbsolutePath().toString(),
                out.toAbsolutePath().toString()))
                .directory(YFixtures.NODE_DIR.toFile()).redirectErrorStream(true).start();
        assertTrue(p.waitFor(NODE_TIMEOUT_S, TimeUnit.SECONDS), "node check timed out");
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        JsonNode results = YFixtures.JSON.readTree(out.toFile());
        List<String> bad = new ArrayList<>();
        results.get("results").forEach(r -> {
            if (!r.get("ok").asBoolean()) {
                bad.add(r.get("name").asText() + ": yjs got " + r.get("text"));
            }
        });
        assertEquals(List.of(), bad, log);
        assertEquals(0, p.exitValue(), log);
        if (Boolean.getBoolean("ydoc.writeFixture")) {
            Files.copy(out, JAVA_CHECK_FIXTURE, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static boolean nodeAvailable() {
        try {
            Process p = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(NODE_TIMEOUT_S, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Test
    void replaceTextRefusesATextHoldingEmbeds() {
        YDoc doc = new YDoc();
        doc.applyUpdate(YFixtures.bytes(YFixtures.read(YFixtures.DIR.resolve("sync-other-types.json"))
                .get("final").get("state")));
        assertThrows(IllegalStateException.class, () -> doc.replaceText(ROOT, "x", 3));
    }
}
