package io.xdevfs.tiers;

import io.xdevfs.posix.Flags;
import io.xdevfs.posix.Names;
import io.xdevfs.posix.Posix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A path found on disk turns back into the bytes the filesystem holds, whatever they are. */
class NamesOfFoundTest {
    @TempDir
    Path tmp;

    @Test
    void everyByteOfAFoundPathSurvives() throws Exception {
        Posix posix = Posix.get();
        String dir = Names.of(tmp);
        List<String> names = List.of("plain", "caf\u00c3\u00a9", "bad\u00ff\u00fe", "100%25 %", "sp ace#?;", "\u0001\u007f\u0080");
        for (String name : names) {
            posix.close(posix.openat(Flags.AT_FDCWD, dir + "/" + name, Flags.O_WRONLY | Flags.O_CREAT, 0600));
        }
        posix.mkdirat(Flags.AT_FDCWD, dir + "/d\u00ff", 0700);
        try (Stream<Path> found = Files.list(tmp)) {
            List<String> back = found.map(Names::ofFound).sorted().toList();
            List<String> expected = Stream.concat(names.stream(), Stream.of("d\u00ff")).map(n -> dir + "/" + n).sorted().toList();
            assertEquals(expected, back, "a directory loses the URI's trailing slash too");
        }
    }
}
