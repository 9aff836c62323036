package io.xdevfs.tiers;

/**
 * The contract on storage_type = block with its files stored compressed on the device
 * (enable_compression = true): the compressed format over the block volume's files as backing files,
 * power cuts included.
 */
class BlockCompressedVolumeContractTest extends BlockVolumeContractTest {
    @Override
    LocalConfig configure(LocalConfig defaults) {
        BlockSettings b = super.configure(defaults).block();
        return defaults.withBlock(new BlockSettings(b.device(), b.sectorSize(), b.rawDevice(), b.trim(), b.queueDepth(),
                StorageType.COMPRESSED));
    }
}
