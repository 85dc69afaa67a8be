package dev.sandpit.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sandpit.worker.sandbox.SandboxConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The pool's fail-closed rule with real slots: a slot found unfit is rebuilt before it serves. */
class RunSlotsIT {
  @Test
  void aSlotWhoseWorkspaceIsFoundDirtyWhenTakenIsRebuiltAndServesEmpty() throws Exception {
    Path root = Files.createTempDirectory("sandpit-runslots-");
    Files.setPosixFilePermissions(root, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
    SandboxConfig config = new SandboxConfig("bwrap", root, 62700, 16, 16, 64, 100, Path.of("/sys/fs/cgroup"), true, true);
    try (RunSlots slots = new RunSlots(config, 1)) {
      RunSlots.Lease first = slots.take();
      assertNotNull(first);
      first.run().discard();
      slots.release(first.slot());
      // what a clean-up that missed something would leave (written host-side, as root)
      Files.writeString(first.slot().dir().resolve("left-behind.txt"), "stale");

      RunSlots.Lease next = slots.take();
      assertNotNull(next, "the rebuilt slot serves again");
      assertEquals(1, slots.quarantines());
      assertEquals(List.of(), slots.retired());
      assertEquals(1, slots.size());
      try (var s = Files.list(next.slot().dir())) {
        assertEquals(List.of(), s.toList(), "the workspace after the rebuild");
      }
      assertNull(next.slot().workspace().check());
      assertTrue(next.run().alive(), "a warm sandbox started in the rebuilt slot");
      next.run().discard();
      slots.release(next.slot());
    }
  }
}
