package dev.sandpit.worker.sandbox;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import java.io.IOException;
import java.nio.file.Path;

/**
 * mount(2) and umount2(2) through JNA: a run slot gets a fresh tmpfs for its workspace after every
 * run, and spawning {@code mount} and {@code umount} for each would cost two processes a run.
 * Root only.
 */
final class Mounts {
  private Mounts() {}

  private static final int MS_NOSUID = 2, MS_NODEV = 4;
  private static final int MNT_DETACH = 2, UMOUNT_NOFOLLOW = 8;
  private static final int EINVAL = 22, ENOENT = 2;

  @SuppressWarnings("checkstyle:MethodName")
  private interface LibC extends Library {
    int mount(String source, String target, String fstype, NativeLong flags, String data) throws LastErrorException;

    int umount2(String target, int flags) throws LastErrorException;
  }

  private static final class Holder {
    static final LibC C = Native.load("c", LibC.class);
  }

  /** Mount a tmpfs with {@code options} (nosuid, nodev) on {@code target}. */
  static void tmpfs(Path target, String source, String options) throws IOException {
    try {
      Holder.C.mount(source, target.toString(), "tmpfs", new NativeLong(MS_NOSUID | MS_NODEV), options);
    } catch (LastErrorException e) {
      throw new IOException("mount tmpfs on " + target + ": errno " + e.getErrorCode(), e);
    }
  }

  /**
   * Detach whatever is mounted on {@code target}, lazily (MNT_DETACH: it goes when its last user
   * does; the slot's processes are dead by then), without following a link in its last component.
   * Returns false when nothing was mounted there.
   */
  static boolean detach(Path target) throws IOException {
    try {
      Holder.C.umount2(target.toString(), MNT_DETACH | UMOUNT_NOFOLLOW);
      return true;
    } catch (LastErrorException e) {
      if (e.getErrorCode() == EINVAL || e.getErrorCode() == ENOENT) return false;
      throw new IOException("umount " + target + ": errno " + e.getErrorCode(), e);
    }
  }
}
