package dev.sandpit.gateway.collab;

import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.List;

/** One entry of a document's stream: its id, the gateway that added it, the Yjs update. */
record StreamEntry(String id, String origin, byte[] update) {
  static final String FIELD_ORIGIN = "o";
  static final String FIELD_UPDATE = "u";

  /** The entries of an XRANGE reply, in order (RESP2 and RESP3 both give a flat field/value list). */
  static List<StreamEntry> parse(Response r) {
    List<StreamEntry> out = new ArrayList<>();
    if (r == null) return out;
    for (Response entry : r) {
      Response fields = entry.get(1);
      String origin = "";
      byte[] update = null;
      for (int i = 0; i + 1 < fields.size(); i += 2) {
        String f = fields.get(i).toString();
        if (FIELD_ORIGIN.equals(f)) origin = fields.get(i + 1).toString();
        else if (FIELD_UPDATE.equals(f)) update = fields.get(i + 1).toBytes();
      }
      if (update != null) out.add(new StreamEntry(entry.get(0).toString(), origin, update));
    }
    return out;
  }
}
