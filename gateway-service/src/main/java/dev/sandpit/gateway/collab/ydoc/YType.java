package dev.sandpit.gateway.collab.ydoc;

import java.util.HashMap;
import java.util.Map;

/**
 * A shared type: a root type (named, {@link #item} null) or one nested in a ContentType item. Holds the sequence
 * ({@link #start}, a linked list of items) and the map part ({@link #map}: key to its rightmost item). Which Yjs
 * class it is (Text, Map, Array, Xml*) matters only for nested types, whose type ref is kept to re-encode them.
 */
final class YType {
    static final int REF_ARRAY = 0;
    static final int REF_MAP = 1;
    static final int REF_TEXT = 2;
    static final int REF_XML_ELEMENT = 3;
    static final int REF_XML_FRAGMENT = 4;
    static final int REF_XML_HOOK = 5;
    static final int REF_XML_TEXT = 6;
    static final int REF_ROOT = -1;

    final String rootName;
    final int typeRef;
    /** nodeName of an XmlElement, hookName of an XmlHook, else null. */
    final String typeKey;
    Item item;
    Item start;
    Map<String, Item> map = new HashMap<>();

    YType(String rootName, int typeRef, String typeKey) {
        this.rootName = rootName;
        this.typeRef = typeRef;
        this.typeKey = typeKey;
    }

    static YType root(String name) {
        return new YType(name, REF_ROOT, null);
    }

    static YType read(Lib0Decoder d) {
        long ref = d.readVarUint();
        if (ref < REF_ARRAY || ref > REF_XML_TEXT) {
            throw new IllegalArgumentException("unknown Yjs type ref " + ref);
        }
        int r = (int) ref;
        String key = (r == REF_XML_ELEMENT || r == REF_XML_HOOK) ? d.readVarString() : null;
        return new YType(null, r, key);
    }

    void write(Lib0Encoder e) {
        e.writeVarUint(typeRef);
        if (typeKey != null) {
            e.writeVarString(typeKey);
        }
    }
}
