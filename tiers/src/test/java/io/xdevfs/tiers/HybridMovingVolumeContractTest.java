package io.xdevfs.tiers;

import io.xdevfs.posix.Flags;
import io.xdevfs.tiers.hybrid.HybridVolume;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The contract on storage_type = hybrid while files keep moving: every create and every open for
 * writing moves the file to the other tier right after it is opened, so the handles the contract
 * then uses have their object switched under them (regular hot, compressed cold).
 */
class HybridMovingVolumeContractTest extends HybridVolumeContractTest {
    @Override
    Volume reopen() throws IOException, VolumeException {
        return new ForwardingVolume(super.reopen()) {
            @Override
            public Content create(String path, int flags, int mode, Owner owner) throws IOException {
                Content c = delegate.create(path, flags, mode, owner);
                flip(path);
                return c;
            }

            @Override
            public Content open(String path, int flags) throws IOException {
                Content c = delegate.open(path, flags);
                if ((flags & Flags.O_ACCMODE) != Flags.O_RDONLY) {
                    flip(path);
                }
                return c;
            }

            private void flip(String path) throws IOException {
                ByteBuffer now = ByteBuffer.allocateDirect(200);
                int n = delegate.getxattr(path, HybridVolume.TIER_ATTRIBUTE, now);
                String tier = StandardCharsets.UTF_8.decode(now.position(0).limit(n)).toString();
                byte[] other = (tier.startsWith("hot") ? "cold" : "hot").getBytes(StandardCharsets.UTF_8);
                delegate.setxattr(path, HybridVolume.TIER_ATTRIBUTE, ByteBuffer.allocateDirect(other.length).put(other).flip(), 0);
            }
        };
    }
}
