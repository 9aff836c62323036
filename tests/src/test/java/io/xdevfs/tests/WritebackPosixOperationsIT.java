package io.xdevfs.tests;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * PosixOperationsIT with fuse_writeback_cache = true: the kernel gathers writes and sends them later.
 * Hard links are refused there (EPERM: each name would be its own kernel inode with its own size), and
 * so is renameat2's RENAME_EXCHANGE (EINVAL); SEEK_HOLE finds no holes (the kernel's size answers).
 */
@MountLines({"fuse_writeback_cache = true"})
class WritebackPosixOperationsIT extends PosixOperationsIT {

    @Override
    boolean exchanges() {
        return false;
    }

    /**
     * Hard links and RENAME_EXCHANGE are refused on this mount, and every file reports all data up to
     * its size (docs/semantics.md, "Kernel fast paths", "SEEK_DATA/SEEK_HOLE").
     */
    @Override
    java.util.Map<String, String> knownDifferences() {
        return java.util.Map.of("rename_between_two_links_of_one_file", "EPERM",
                "a_link_keeps_the_bytes_of_an_unlinked_name", "EPERM",
                "what_a_link_and_an_unlink_change", "EPERM",
                "appends_through_two_names_of_one_file", "EPERM",
                "a_hard_link_to_a_symlink", "EPERM",
                "rename_exchange", "EINVAL",
                "seek_data_in_a_file_that_is_all_hole", "OK 0");
    }

    @Override
    boolean hardLinks() {
        return false;
    }

    @Override
    boolean reportsHoles() {
        return false;
    }

    @Test
    @Override
    void hardLinksShowCurrentCountModeAndOwnerThroughEveryName() throws Exception {
        linkIsRefused("hardlink");
    }

    private static void linkIsRefused(String name) throws Exception {
        Path dir = fresh(name);
        java.nio.file.Files.writeString(dir.resolve("a"), "shared");
        assertEquals("EPERM", Py.errno(dir, "os.link(d + '/a', d + '/b')"));
        assertEquals("False", Py.eval(dir, "print(os.path.exists(d + '/b'))"));
        assertEquals("shared", java.nio.file.Files.readString(dir.resolve("a")));
    }

    @Test
    @Override
    void theKernelCacheNeverHidesAWriteThroughAnotherName() throws Exception {
        linkIsRefused("coherence"); // there is no other name
    }
}
