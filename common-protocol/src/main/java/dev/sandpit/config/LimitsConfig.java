package dev.sandpit.config;

import dev.sandpit.protocol.ErrorCode;
import dev.sandpit.protocol.Limits;
import dev.sandpit.protocol.ProtocolException;

/**
 * Run limits: the defaults a run gets and the maxima a client may ask for. Read by the gateway
 * (which refuses requests over the maxima) and by the workers (which clamp again).
 */
public record LimitsConfig(
    long wallMsDefault, long wallMsMax,
    long cpuMsDefault, long cpuMsMax,
    long memoryMbDefault, long memoryMbMax,
    long outputKbDefault, long outputKbMax,
    long compileWallMs, long compileMemoryMb) {

  public static final String WALL_MS_DEFAULT = "SANDPIT_RUN_WALL_MS";
  public static final String WALL_MS_MAX = "SANDPIT_RUN_WALL_MS_MAX";
  public static final String CPU_MS_DEFAULT = "SANDPIT_RUN_CPU_MS";
  public static final String CPU_MS_MAX = "SANDPIT_RUN_CPU_MS_MAX";
  public static final String MEMORY_MB_DEFAULT = "SANDPIT_RUN_MEMORY_MB";
  public static final String MEMORY_MB_MAX = "SANDPIT_RUN_MEMORY_MB_MAX";
  public static final String OUTPUT_KB_DEFAULT = "SANDPIT_RUN_OUTPUT_KB";
  public static final String OUTPUT_KB_MAX = "SANDPIT_RUN_OUTPUT_KB_MAX";
  public static final String COMPILE_WALL_MS = "SANDPIT_COMPILE_WALL_MS";
  public static final String COMPILE_MEMORY_MB = "SANDPIT_COMPILE_MEMORY_MB";

  // the values when a setting is absent, and the range a setting must be in
  static final long DEFAULT_WALL_MS = 30_000;
  static final long DEFAULT_WALL_MAX_MS = 300_000;
  static final long DEFAULT_CPU_MS = 10_000;
  static final long DEFAULT_CPU_MAX_MS = 120_000;
  static final long MIN_TIME_MS = 100;
  static final long MAX_TIME_MS = 86_400_000; // a day
  static final long DEFAULT_MEMORY_MB = 256;
  static final long DEFAULT_MEMORY_MAX_MB = 2048;
  static final long MIN_MEMORY_MB = 16;
  static final long MAX_MEMORY_MB = 1 << 20; // a TiB
  static final long DEFAULT_OUTPUT_KB = 1024;
  static final long DEFAULT_OUTPUT_MAX_KB = 65_536;
  static final long MAX_OUTPUT_KB = 1 << 22; // 4 GiB
  static final long DEFAULT_COMPILE_WALL_MS = 30_000;
  static final long MIN_COMPILE_WALL_MS = 1000;
  static final long MAX_COMPILE_WALL_MS = 600_000;
  static final long DEFAULT_COMPILE_MEMORY_MB = 1024;
  static final long MIN_COMPILE_MEMORY_MB = 64;

  public static LimitsConfig from(Settings s) {
    long wallMax = s.longValue(WALL_MS_MAX, DEFAULT_WALL_MAX_MS, MIN_TIME_MS, MAX_TIME_MS);
    long cpuMax = s.longValue(CPU_MS_MAX, DEFAULT_CPU_MAX_MS, MIN_TIME_MS, MAX_TIME_MS);
    long memMax = s.longValue(MEMORY_MB_MAX, DEFAULT_MEMORY_MAX_MB, MIN_MEMORY_MB, MAX_MEMORY_MB);
    long outMax = s.longValue(OUTPUT_KB_MAX, DEFAULT_OUTPUT_MAX_KB, 1, MAX_OUTPUT_KB);
    return new LimitsConfig(
        s.longValue(WALL_MS_DEFAULT, DEFAULT_WALL_MS, MIN_TIME_MS, wallMax), wallMax,
        s.longValue(CPU_MS_DEFAULT, DEFAULT_CPU_MS, MIN_TIME_MS, cpuMax), cpuMax,
        s.longValue(MEMORY_MB_DEFAULT, DEFAULT_MEMORY_MB, MIN_MEMORY_MB, memMax), memMax,
        s.longValue(OUTPUT_KB_DEFAULT, DEFAULT_OUTPUT_KB, 1, outMax), outMax,
        s.longValue(COMPILE_WALL_MS, DEFAULT_COMPILE_WALL_MS, MIN_COMPILE_WALL_MS, MAX_COMPILE_WALL_MS),
        s.longValue(COMPILE_MEMORY_MB, DEFAULT_COMPILE_MEMORY_MB, MIN_COMPILE_MEMORY_MB, MAX_MEMORY_MB));
  }

  /** Fill in defaults; refuse anything over a maximum or not positive. */
  public Limits resolve(Limits asked) {
    Limits a = asked == null ? Limits.NONE : asked;
    return new Limits(
        pick("wall_ms", a.wallMs(), wallMsDefault, wallMsMax),
        pick("cpu_ms", a.cpuMs(), cpuMsDefault, cpuMsMax),
        pick("memory_mb", a.memoryMb(), memoryMbDefault, memoryMbMax),
        pick("output_kb", a.outputKb(), outputKbDefault, outputKbMax));
  }

  /** Resolve without refusing: values over a maximum are lowered to it (workers' defence). */
  public Limits clamp(Limits asked) {
    Limits a = asked == null ? Limits.NONE : asked;
    return new Limits(
        Math.min(a.wallMs() == null ? wallMsDefault : a.wallMs(), wallMsMax),
        Math.min(a.cpuMs() == null ? cpuMsDefault : a.cpuMs(), cpuMsMax),
        Math.min(a.memoryMb() == null ? memoryMbDefault : a.memoryMb(), memoryMbMax),
        Math.min(a.outputKb() == null ? outputKbDefault : a.outputKb(), outputKbMax));
  }

  private static long pick(String name, Long asked, long def, long max) {
    if (asked == null) return def;
    if (asked <= 0) throw new ProtocolException(ErrorCode.LIMIT_EXCEEDED, "limits." + name + " must be positive");
    if (asked > max) {
      throw new ProtocolException(ErrorCode.LIMIT_EXCEEDED, "limits." + name + " = " + asked + " is over the server maximum of " + max);
    }
    return asked;
  }
}
