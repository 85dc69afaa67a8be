package dev.sandpit.gateway.collab.ydoc;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * A Yjs Item: content placed in a parent type between its origin (the item left of it when it was made) and its
 * right origin. {@link #integrate} is Yjs's YATA conflict resolution, so concurrent inserts converge like Yjs.
 */
final class Item extends Struct {
    static final int BIT_ORIGIN = 0x80;
    static final int BIT_RIGHT_ORIGIN = 0x40;
    static final int BIT_PARENT_SUB = 0x20;
    static final int BITS_CONTENT_REF = 0x1F;
    static final int PARENT_IS_ROOT_NAME = 1;
    static final int PARENT_IS_ID = 0;

    Item left;
    Item right;
    Id origin;
    Id rightOrigin;
    /** A {@link YType} once resolved; an {@link Id} of the parent type's item while not integrated. */
    Object parent;
    String parentSub;
    Content content;
    boolean deleted;
    boolean keep;

    Item(long client, long clock, Item left, Id origin, Item right, Id rightOrigin, Object parent, String parentSub,
            Content content) {
        super(client, clock, content.length());
        this.left = left;
        this.origin = origin;
        this.right = right;
        this.rightOrigin = rightOrigin;
        this.parent = parent;
        this.parentSub = parentSub;
        this.content = content;
    }

    @Override
    boolean deleted() {
        return deleted;
    }

    boolean countable() {
        return content.countable();
    }

    Id lastId() {
        return new Id(client, clock + length - 1);
    }

    YType parentType() {
        return (YType) parent;
    }

    /**
     * Yjs getMissing: the client whose struct this item needs but the doc lacks, or null when all are there; in
     * that case it resolves left, right and the parent type.
     */
    Long getMissing(Transaction t, YDoc doc) {
        if (origin != null && origin.client() != client && origin.clock() >= doc.getState(origin.client())) {
            return origin.client();
        }
        if (rightOrigin != null && rightOrigin.client() != client
                && rightOrigin.clock() >= doc.getState(rightOrigin.client())) {
            return rightOrigin.client();
        }
        if (parent instanceof Id pid && pid.client() != client && pid.clock() >= doc.getState(pid.client())) {
            return pid.client();
        }
        Struct l = null;
        Struct r = null;
        if (origin != null) {
            l = doc.getItemCleanEnd(t, origin);
            origin = new Id(l.client, l.end() - 1);
        }
        if (rightOrigin != null) {
            r = doc.getItemCleanStart(t, rightOrigin);
            rightOrigin = r.id();
        }
        if (l instanceof Struct.Gc || r instanceof Struct.Gc) {
            parent = null;
        } else if (parent == null) {
            if (l instanceof Item li) {
                parent = li.parent;
                parentSub = li.parentSub;
            } else if (r instanceof Item ri) {
                parent = ri.parent;
                parentSub = ri.parentSub;
            }
        } else if (parent instanceof Id pid) {
            Struct p = doc.getStruct(pid);
            if (p instanceof Struct.Gc) {
                parent = null;
            } else if (p instanceof Item pi && pi.content instanceof Content.Type ct) {
                parent = ct.type;
            } else {
                throw new IllegalArgumentException("parent " + pid + " of item " + id() + " is not a type");
            }
        }
        left = l instanceof Item li ? li : null;
        right = r instanceof Item ri ? ri : null;
        return null;
    }

    /** Yjs Item.integrate: places this item (without its first {@code offset} units, already known) in its parent. */
    void integrate(Transaction t, long offset) {
        YDoc doc = t.doc;
        if (offset > 0) {
            clock += offset;
            Struct l = doc.getItemCleanEnd(t, new Id(client, clock - 1));
            left = l instanceof Item li ? li : null;
            origin = new Id(l.client, l.end() - 1);
            content = content.splice(offset);
            length -= offset;
            if (left == null) {
                parent = null;
            }
        }
        if (!(parent instanceof YType p)) {
            doc.addStruct(new Struct.Gc(client, clock, length));
            return;
        }
        if ((left == null && (right == null || right.left != null)) || (left != null && left.right != right)) {
            Item l = left;
            Item o;
            if (l != null) {
                o = l.right;
            } else if (parentSub != null) {
                o = p.map.get(parentSub);
                while (o != null && o.left != null) {
                    o = o.left;
                }
            } else {
                o = p.start;
            }
            Set<Struct> conflicting = Collections.newSetFromMap(new IdentityHashMap<>());
            Set<Struct> beforeOrigin = Collections.newSetFromMap(new IdentityHashMap<>());
            while (o != null && o != right) {
                beforeOrigin.add(o);
                conflicting.add(o);
                if (Id.same(origin, o.origin)) {
                    if (o.client < client) {
                        l = o;
                        conflicting.clear();
                    } else if (Id.same(rightOrigin, o.rightOrigin)) {
                        break;
                    }
                } else if (o.origin != null && beforeOrigin.contains(doc.getStruct(o.origin))) {
                    if (!conflicting.contains(doc.getStruct(o.origin))) {
                        l = o;
                        conflicting.clear();
                    }
                } else {
                    break;
                }
                o = o.right;
            }
            left = l;
        }
        if (left != null) {
            right = left.right;
            left.right = this;
        } else {
            Item r;
            if (parentSub != null) {
                r = p.map.get(parentSub);
                while (r != null && r.left != null) {
                    r = r.left;
                }
            } else {
                r = p.start;
                p.start = this;
            }
            right = r;
        }
        if (right != null) {
            right.left = this;
        } else if (parentSub != null) {
            p.map.put(parentSub, this);
            if (left != null) {
                left.delete(t);
            }
        }
        doc.addStruct(this);
        content.integrate(t, this);
        if ((p.item != null && p.item.deleted) || (parentSub != null && right != null)) {
            delete(t);
        }
    }

    void delete(Transaction t) {
        if (!deleted) {
            deleted = true;
            t.deleteSet.add(client, clock, length);
            content.delete(t);
        }
    }

    /** Drops a deleted item's content: to a length-only ContentDeleted, or a GC range when its parent went too. */
    void gc(YDoc doc, boolean parentGCd) {
        if (!deleted) {
            throw new IllegalStateException("only deleted items are collected");
        }
        content.gc(doc);
        if (parentGCd) {
            doc.replaceStruct(this, new Struct.Gc(client, clock, length));
        } else {
            content = new Content.Deleted(length);
        }
    }

    @Override
    boolean mergeWith(Struct other) {
        if (other instanceof Item r
                && Id.same(r.origin, lastId())
                && right == r
                && Id.same(rightOrigin, r.rightOrigin)
                && client == r.client
                && clock + length == r.clock
                && deleted == r.deleted
                && content.getClass() == r.content.getClass()
                && content.mergeWith(r.content)) {
            if (r.keep) {
                keep = true;
            }
            right = r.right;
            if (right != null) {
                right.left = this;
            }
            length += r.length;
            return true;
        }
        return false;
    }

    @Override
    void write(Lib0Encoder e, long offset) {
        Id o = offset > 0 ? new Id(client, clock + offset - 1) : origin;
        int info = (content.ref() & BITS_CONTENT_REF)
                | (o == null ? 0 : BIT_ORIGIN)
                | (rightOrigin == null ? 0 : BIT_RIGHT_ORIGIN)
                | (parentSub == null ? 0 : BIT_PARENT_SUB);
        e.writeUint8(info);
        if (o != null) {
            writeId(e, o);
        }
        if (rightOrigin != null) {
            writeId(e, rightOrigin);
        }
        if (o == null && rightOrigin == null) {
            if (parent instanceof YType p) {
                if (p.item == null) {
                    e.writeVarUint(PARENT_IS_ROOT_NAME);
                    e.writeVarString(p.rootName);
                } else {
                    e.writeVarUint(PARENT_IS_ID);
                    writeId(e, p.item.id());
                }
            } else if (parent instanceof Id pid) {
                e.writeVarUint(PARENT_IS_ID);
                writeId(e, pid);
            } else {
                throw new IllegalStateException("item " + id() + " has neither origins nor a parent");
            }
            if (parentSub != null) {
                e.writeVarString(parentSub);
            }
        }
        content.write(e, offset);
    }

    static void writeId(Lib0Encoder e, Id id) {
        e.writeVarUint(id.client());
        e.writeVarUint(id.clock());
    }
}
