package io.xdevfs.tests;

/** RealProgramsIT with enable_xattr = false: cp -a, sqlite3, fio and the rest need no attributes. */
@MountLines({"enable_xattr = false"})
class NoXattrRealProgramsIT extends RealProgramsIT {
    @Override
    boolean xattrs() {
        return false;
    }
}
