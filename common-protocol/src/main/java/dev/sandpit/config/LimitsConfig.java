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

  public static LimitsConfig from(Settings s) {
    long wallMax = s.longValue(WALL_MS_MAX, 300_000, 100, 86_400_000);
    long cpuMax = s.longValue(CPU_MS_MAX, 120_000, 100, 86_400_000);
    long memMax = s.longValue(MEMORY_MB_MAX, 2048, 16, 1 << 20);
    long outMax = s.longValue(OUTPUT_KB_MAX, 65_536, 1, 1 << 22);
    return new LimitsConfig(
        s.longValue(WALL_MS_DEFAULT, 30_000, 100, wallMax), wallMax,
        s.longValue(CPU_MS_DEFAULT, 10_000, 100, cpuMax), cpuMax,
        s.longValue(MEMORY_MB_DEFAULT, 256, 16, memMax), memMax,
        s.longValue(OUTPUT_KB_DEFAULT, 1024, 1, outMax), outMax,
        s.longValue(COMPILE_WALL_MS, 30_000, 1000, 600_000),
        s.longValue(COMPILE_MEMORY_MB, 1024, 64, 1 << 20));
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
