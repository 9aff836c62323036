package io.xdevfs.tiers;

/** The contract on storage_type = block with use_raw_device = false: data through the device's page cache. */
class BlockBufferedVolumeContractTest extends BlockVolumeContractTest {
    @Override
    boolean rawDevice() {
        return false;
    }
}
