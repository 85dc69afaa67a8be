package dev.sandpit.gateway.collab.ydoc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;

/** Reads the yjs-made fixtures in src/test/resources/ydoc (made by src/test/node/ydoc-fixtures.mjs). */
final class YFixtures {
    static final Path DIR = Path.of("src", "test", "resources", "ydoc");
    static final Path NODE_DIR = Path.of("src", "test", "node");
    static final ObjectMapper JSON = new ObjectMapper();

    private YFixtures() {
    }

    static List<Path> files(String prefix) {
        try (Stream<Path> s = Files.list(DIR)) {
            List<Path> l = new ArrayList<>(s.filter(p -> p.getFileName().toString().startsWith(prefix)
                    && p.getFileName().toString().endsWith(".json")).sorted().toList());
            if (l.isEmpty()) {
                throw new IllegalStateException("no fixtures " + prefix + "* in " + DIR.toAbsolutePath());
            }
            return l;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode read(Path p) {
        try {
            return JSON.readTree(p.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] bytes(JsonNode n) {
        return Base64.getDecoder().decode(n.asText());
    }

    static String b64(byte[] b) {
        return Base64.getEncoder().encodeToString(b);
    }

    static List<byte[]> updates(JsonNode fixture) {
        List<byte[]> l = new ArrayList<>();
        fixture.get("updates").forEach(u -> l.add(bytes(u)));
        return l;
    }
}
