package io.xdevfs.tiers;

import java.nio.file.Path;

/**
 * The contract on storage_type = hybrid with a regular hot tier and a compressed cold one, files
 * staying where they are written (no migrator): names in the namespace, bytes in the hot tier's
 * objects. HybridMovesTest moves them.
 */
class HybridVolumeContractTest extends VolumeContract {
    @Override
    LocalConfig configure(LocalConfig defaults) {
        Path root = defaults.baseDirectory().getParent();
        LocalConfig hot = defaults.withBaseDirectory(root.resolve("hot"));
        LocalConfig cold = defaults.withBaseDirectory(root.resolve("cold")).withStorageType(StorageType.COMPRESSED);
        return defaults.withHybrid(new HybridSettings(hot, cold, 64L << 20, 0, 3600, false, 100, 60, 64L << 20));
    }

    @Override
    Path powerCutRoot() {
        return tmp;
    }
}
