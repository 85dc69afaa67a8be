package dev.sandpit.protocol;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The registry of languages, loaded once from the {@code languages.json} resource. */
public final class Languages {
  private static final Map<String, Language> BY_NAME = new LinkedHashMap<>();
  private static final Map<String, Language> BY_ID = new LinkedHashMap<>();

  static {
    try (InputStream in = Languages.class.getResourceAsStream("/languages.json")) {
      // the data file names fields as the records do (compileEnv, runtimeCheck); the wire's snake_case
      // mapper would silently drop every camelCase key
      var data = JsonMapper.builder()
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();
      List<Language> all = data.readValue(in, new TypeReference<List<Language>>() {});
      for (Language l : all) {
        BY_ID.put(l.id(), l);
        BY_NAME.put(l.id(), l);
        if (l.aliases() != null) l.aliases().forEach(a -> BY_NAME.put(a, l));
      }
    } catch (IOException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private Languages() {}

  /** The language for a wire name or alias (case-insensitive), or null. */
  public static Language find(String name) {
    return name == null ? null : BY_NAME.get(name.trim().toLowerCase(Locale.ROOT));
  }

  public static Collection<Language> all() {
    return BY_ID.values();
  }
}
