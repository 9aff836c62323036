package io.xdevfs.tiers;

/** The contract on storage_type = block with enable_trim: discards (holes punched in the device file) race reuse. */
class BlockTrimVolumeContractTest extends BlockVolumeContractTest {
    @Override
    LocalConfig configure(LocalConfig defaults) {
        LocalConfig c = super.configure(defaults);
        BlockSettings b = c.block();
        return c.withBlock(new BlockSettings(b.device(), b.sectorSize(), b.rawDevice(), true, b.queueDepth()));
    }
}
