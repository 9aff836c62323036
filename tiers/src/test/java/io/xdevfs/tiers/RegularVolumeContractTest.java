package io.xdevfs.tiers;

/** The volume contract on storage_type = regular. */
class RegularVolumeContractTest extends VolumeContract {
    @Override
    LocalConfig configure(LocalConfig defaults) {
        return defaults.withStorageType(StorageType.REGULAR);
    }
}
