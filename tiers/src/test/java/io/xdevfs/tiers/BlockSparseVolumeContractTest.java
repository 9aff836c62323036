package io.xdevfs.tiers;

/**
 * The contract on storage_type = block with its files stored sparse on the device
 * (enable_sparse = true): the sparse format over the block volume's files as backing files,
 * power cuts included.
 */
class BlockSparseVolumeContractTest extends BlockVolumeContractTest {
    @Override
    LocalConfig configure(LocalConfig defaults) {
        BlockSettings b = super.configure(defaults).block();
        return defaults.withBlock(new BlockSettings(b.device(), b.sectorSize(), b.rawDevice(), b.trim(), b.queueDepth(),
                StorageType.SPARSE));
    }
}
