package dev.sandpit.bus;

import io.vertx.redis.client.Response;
import java.util.LinkedHashMap;
import java.util.Map;

/** Reading an HGETALL reply of binary values, whether Redis answered in RESP3 (a map) or RESP2 (a flat list). */
public final class RedisHashes {
  private RedisHashes() {}

  public static Map<String, byte[]> bytes(Response r) {
    Map<String, byte[]> out = new LinkedHashMap<>();
    if (r == null) return out;
    if (r.isMap()) {
      for (String k : r.getKeys()) out.put(k, r.get(k).toBytes());
    } else {
      for (int i = 0; i + 1 < r.size(); i += 2) out.put(r.get(i).toString(), r.get(i + 1).toBytes());
    }
    return out;
  }
}
