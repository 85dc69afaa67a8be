package dev.sandpit.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sandpit.protocol.ErrorCode;
import dev.sandpit.protocol.Limits;
import dev.sandpit.protocol.ProtocolException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LimitsConfigTest {
  final LimitsConfig cfg = LimitsConfig.from(new Settings(Map.of(LimitsConfig.WALL_MS_MAX, "5000", LimitsConfig.WALL_MS_DEFAULT, "2000")));

  @Test
  void missingLimitsGetTheDefaults() {
    Limits l = cfg.resolve(null);
    assertEquals(2000L, l.wallMs());
    assertEquals(256L, l.memoryMb());
    assertEquals(1024L, l.outputKb());
  }

  @Test
  void limitsOverTheMaximumAreRefusedWithLimitExceeded() {
    ProtocolException e = assertThrows(ProtocolException.class, () -> cfg.resolve(new Limits(6000L, null, null, null)));
    assertEquals(ErrorCode.LIMIT_EXCEEDED, e.code());
    assertTrue(e.getMessage().contains("wall_ms"));
    assertThrows(ProtocolException.class, () -> cfg.resolve(new Limits(0L, null, null, null)));
  }

  @Test
  void workersClampInsteadOfRefusing() {
    assertEquals(5000L, cfg.clamp(new Limits(999_999L, null, null, null)).wallMs());
  }

  @Test
  void badConfigurationNamesTheKey() {
    var e = assertThrows(Settings.ConfigException.class,
        () -> LimitsConfig.from(new Settings(Map.of(LimitsConfig.MEMORY_MB_MAX, "lots"))));
    assertTrue(e.getMessage().contains(LimitsConfig.MEMORY_MB_MAX), e.getMessage());
    var e2 = assertThrows(Settings.ConfigException.class,
        () -> LimitsConfig.from(new Settings(Map.of(LimitsConfig.WALL_MS_MAX, "1000", LimitsConfig.WALL_MS_DEFAULT, "2000"))));
    assertTrue(e2.getMessage().contains(LimitsConfig.WALL_MS_DEFAULT), e2.getMessage());
  }
}
