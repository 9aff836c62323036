package io.xdevfs.tiers;

/** The volume contract on storage_type = mmap. */
class MmapVolumeContractTest extends VolumeContract {
    @Override
    LocalConfig configure(LocalConfig defaults) {
        return defaults.withStorageType(StorageType.MMAP);
    }
}
