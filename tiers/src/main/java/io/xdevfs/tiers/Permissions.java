package io.xdevfs.tiers;

import io.xdevfs.posix.Stat;

/** The classic owner/group/other permission check of access(2), for a caller's uid and primary gid. */
public final class Permissions {
    static final int R_OK = 4;
    static final int W_OK = 2;
    static final int X_OK = 1;

    public static boolean allows(Stat st, int mask, Owner caller) {
        int wanted = mask & (R_OK | W_OK | X_OK);
        if (wanted == 0) {
            return true; // F_OK: the file exists
        }
        if (caller.uid() == 0) {
            // root reads and writes anything, and executes what anyone may execute (or any directory)
            return (wanted & X_OK) == 0 || st.isDirectory() || (st.mode & 0111) != 0;
        }
        int bits;
        if (st.uid == caller.uid()) {
            bits = (st.mode >> 6) & 7;
        } else if (st.gid == caller.gid()) {
            bits = (st.mode >> 3) & 7;
        } else {
            bits = st.mode & 7;
        }
        return (bits & wanted) == wanted;
    }

    private Permissions() {
    }
}
