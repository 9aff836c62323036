package io.xdevfs.tiers;

/** The contract on storage_type = block with use_raw_device = true: data with O_DIRECT, in aligned whole blocks. */
class BlockDirectVolumeContractTest extends BlockVolumeContractTest {
    @Override
    boolean rawDevice() {
        return true;
    }
}
