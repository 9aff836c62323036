package io.xdevfs.tiers;

/** The volume contract on storage_type = tmpfs with backups and an intent log (every change logged). */
class TmpfsIntentLogVolumeContractTest extends TmpfsVolumeContractTest {
    @Override
    LocalConfig configure(LocalConfig defaults) {
        return super.configure(defaults).withTmpfs(new TmpfsSettings(false, "", true, 3600, tmp.resolve("backup"),
                tmp.resolve("log"), 32L << 20));
    }
}
