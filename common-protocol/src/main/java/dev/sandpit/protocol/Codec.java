package dev.sandpit.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.InvalidTypeIdException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;

/** The one JSON codec of the protocol: snake_case names, absent fields for nulls. */
public final class Codec {
  private Codec() {}

  public static final ObjectMapper MAPPER = mapper();

  private static ObjectMapper mapper() {
    JsonMapper m = JsonMapper.builder()
        .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
        .serializationInclusion(JsonInclude.Include.NON_NULL)
        .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
        .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
        .build();
    // a number where text belongs (or text where a number belongs) is a client error, not "5"
    for (CoercionInputShape shape : new CoercionInputShape[] {CoercionInputShape.Integer, CoercionInputShape.Float, CoercionInputShape.Boolean}) {
      m.coercionConfigFor(LogicalType.Textual).setCoercion(shape, CoercionAction.Fail);
    }
    m.coercionConfigFor(LogicalType.Integer).setCoercion(CoercionInputShape.String, CoercionAction.Fail);
    m.coercionConfigFor(LogicalType.Integer).setCoercion(CoercionInputShape.Float, CoercionAction.Fail);
    return m;
  }

  private static final ObjectReader CLIENT = MAPPER.readerFor(ClientMessage.class);
  private static final ObjectReader EVENT = MAPPER.readerFor(ServerEvent.class);
  // a character outside the BMP as its 4 UTF-8 bytes in the byte generator too (its default is a \\uD83D\\uDE00 pair)
  private static final ObjectWriter EVENT_WRITER = MAPPER.writerFor(ServerEvent.class)
      .with(JsonWriteFeature.COMBINE_UNICODE_SURROGATES_IN_UTF8);
  private static final ObjectWriter CLIENT_WRITER = MAPPER.writerFor(ClientMessage.class);
  /** How a logged event starts (its seq first). */
  private static final String SEQ_PREFIX = "{\"seq\":";
  private static final int DECIMAL = 10;

  /** Decode a client frame; every failure is a {@link ProtocolException} with a stable code. */
  public static ClientMessage decodeClient(String json) {
    int i = 0;
    while (i < json.length() && Character.isWhitespace(json.charAt(i))) i++;
    if (i == json.length() || json.charAt(i) != '{') {
      throw new ProtocolException(ErrorCode.BAD_JSON, "expected a JSON object");
    }
    try {
      ClientMessage m = CLIENT.readValue(json);
      if (m == null) throw new ProtocolException(ErrorCode.BAD_JSON, "expected a JSON object");
      return m;
    } catch (InvalidTypeIdException e) {
      String id = e.getTypeId();
      if (id == null) {
        throw new ProtocolException(ErrorCode.MISSING_FIELD, "missing field 'type'");
      }
      throw new ProtocolException(ErrorCode.UNKNOWN_TYPE, "unknown message type '" + id + "'");
    } catch (MismatchedInputException e) {
      String path = fieldPath(e);
      if (path.isEmpty()) {
        String msg = String.valueOf(e.getOriginalMessage());
        if (msg.contains("missing type id") || msg.contains("type id")) {
          throw new ProtocolException(ErrorCode.MISSING_FIELD, "missing field 'type'");
        }
        throw new ProtocolException(ErrorCode.BAD_JSON, "expected a JSON object");
      }
      throw new ProtocolException(ErrorCode.INVALID_FIELD, "field '" + path + "' has the wrong type");
    } catch (JsonMappingException e) {
      throw new ProtocolException(ErrorCode.INVALID_FIELD, "invalid message: " + firstLine(e.getOriginalMessage()));
    } catch (JsonProcessingException e) {
      throw new ProtocolException(ErrorCode.BAD_JSON, "malformed JSON: " + firstLine(e.getOriginalMessage()));
    }
  }

  public static ServerEvent decodeEvent(String json) {
    try {
      return EVENT.readValue(json);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("bad event: " + json, e);
    }
  }

  public static String encode(ServerEvent e) {
    try {
      return EVENT_WRITER.writeValueAsString(e);
    } catch (JsonProcessingException ex) {
      throw new IllegalStateException(ex);
    }
  }

  /**
   * {@link #encode(ServerEvent)} as UTF-8 bytes, written straight by Jackson's byte generator: no
   * String in between to build and encode again (the output path's largest cost after decoding).
   */
  public static byte[] encodeBytes(ServerEvent e) {
    try {
      return EVENT_WRITER.writeValueAsBytes(e);
    } catch (JsonProcessingException ex) {
      throw new IllegalStateException(ex);
    }
  }

  public static String encode(ClientMessage m) {
    try {
      return CLIENT_WRITER.writeValueAsString(m);
    } catch (JsonProcessingException ex) {
      throw new IllegalStateException(ex);
    }
  }

  public static String toJson(Object o) {
    try {
      return MAPPER.writeValueAsString(o);
    } catch (JsonProcessingException ex) {
      throw new IllegalStateException(ex);
    }
  }

  public static <T> T fromJson(String json, Class<T> type) {
    try {
      return MAPPER.readValue(json, type);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("bad " + type.getSimpleName() + ": " + firstLine(e.getOriginalMessage()), e);
    }
  }

  /**
   * The seq of a logged event without parsing it: logged events start with {@code {"seq":N,}
   * (see {@link dev.sandpit.bus.EventLog}). Returns -1 when absent.
   */
  public static long peekSeq(String json) {
    if (!json.startsWith(SEQ_PREFIX)) return -1;
    long v = 0;
    for (int i = SEQ_PREFIX.length(); i < json.length(); i++) {
      char c = json.charAt(i);
      if (c < '0' || c > '9') return i == SEQ_PREFIX.length() ? -1 : v;
      v = v * DECIMAL + (c - '0');
    }
    return -1;
  }

  private static String fieldPath(JsonMappingException e) {
    StringBuilder sb = new StringBuilder();
    for (JsonMappingException.Reference r : e.getPath()) {
      if (r.getFieldName() != null) {
        if (sb.length() > 0) sb.append('.');
        sb.append(r.getFieldName());
      } else if (r.getIndex() >= 0) {
        sb.append('[').append(r.getIndex()).append(']');
      }
    }
    return sb.toString();
  }

  private static String firstLine(String s) {
    if (s == null) return "";
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
