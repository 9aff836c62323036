package io.xdevfs.tiers;

/** The volume contract on storage_type = direct. */
class DirectVolumeContractTest extends VolumeContract {
    @Override
    LocalConfig configure(LocalConfig defaults) {
        return defaults.withStorageType(StorageType.DIRECT);
    }
}
