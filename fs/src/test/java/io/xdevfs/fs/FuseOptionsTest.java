package io.xdevfs.fs;

import io.xdevfs.fs.fuse.FuseOptions;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class FuseOptionsTest {
    @Test
    void defaultsThenTheUsersOptionsLastSoTheyWin() {
        assertEquals(List.of("-o", "subtype=xdevfs,fsname=/data_x,big_writes,max_write=1048576,max_read=1048576,"
                        + "use_ino,attr_timeout=0,hard_remove,default_permissions,nodev,nosuid,allow_other,ro,attr_timeout=1"),
                FuseOptions.build("/data,x", true, false, List.of("ro, attr_timeout=1")));
    }

    @Test
    void singleThreadedAndNoAllowOtherWithoutRoot() {
        List<String> args = FuseOptions.build("/d", false, true, List.of());
        assertEquals("-s", args.get(0));
        assertEquals(false, args.get(2).contains("allow_other"));
    }
}
