package io.xdevfs.tiers;

/** The volume contract on storage_type = sparse. */
class SparseVolumeContractTest extends VolumeContract {
    @Override
    LocalConfig configure(LocalConfig defaults) {
        return defaults.withStorageType(StorageType.SPARSE);
    }
}
