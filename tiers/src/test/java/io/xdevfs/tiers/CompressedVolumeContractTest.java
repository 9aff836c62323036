package io.xdevfs.tiers;

/** The volume contract on storage_type = compressed. */
class CompressedVolumeContractTest extends VolumeContract {
    @Override
    LocalConfig configure(LocalConfig defaults) {
        return defaults.withStorageType(StorageType.COMPRESSED);
    }
}
