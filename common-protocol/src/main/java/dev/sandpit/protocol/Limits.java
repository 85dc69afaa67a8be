package dev.sandpit.protocol;

/**
 * Per-run resource limits a client may ask for; every field is optional on the wire and is
 * checked against the server's maxima ({@code null} means "server default").
 */
public record Limits(Long wallMs, Long cpuMs, Long memoryMb, Long outputKb) {
  public static final Limits NONE = new Limits(null, null, null, null);
}
