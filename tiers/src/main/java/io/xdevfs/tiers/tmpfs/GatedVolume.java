package io.xdevfs.tiers.tmpfs;

import io.xdevfs.tiers.Content;
import io.xdevfs.tiers.ForwardingVolume;
import io.xdevfs.tiers.MetadataChange;
import io.xdevfs.tiers.Owner;
import io.xdevfs.tiers.Volume;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A volume whose changes can be held still: every call that changes a name, an attribute or a byte
 * shares its {@link Gate}, which a copy of the backing tree (a tmpfs backup) takes alone: all of it
 * for a copy without an intent log, only the names for one with (the log replays the bytes). Reads and
 * stats never wait, nor do a logged volume's syncs (a copy under a log leaves bytes free).
 */
public final class GatedVolume extends ForwardingVolume {
    private final Gate gate;

    public GatedVolume(Volume delegate) {
        this(delegate, new Gate());
    }

    GatedVolume(Volume delegate, Gate gate) {
        super(delegate);
        this.gate = gate;
    }

    Gate gate() {
        return gate;
    }

    private <T> T change(Gate.Change<T> change) throws IOException {
        return gate.change(change);
    }

    private void changeVoid(Gate.VoidChange change) throws IOException {
        gate.changeVoid(change);
    }

    private void nameChangeVoid(Gate.VoidChange change) throws IOException {
        gate.nameChangeVoid(change);
    }

    @Override
    public void mkdir(String path, int mode, Owner owner) throws IOException {
        nameChangeVoid(() -> delegate.mkdir(path, mode, owner));
    }

    @Override
    public void rmdir(String path) throws IOException {
        nameChangeVoid(() -> delegate.rmdir(path));
    }

    @Override
    public void unlink(String path) throws IOException {
        nameChangeVoid(() -> delegate.unlink(path));
    }

    @Override
    public Content create(String path, int flags, int mode, Owner owner) throws IOException {
        return new Gated(gate.nameChange(() -> delegate.create(path, flags, mode, owner)));
    }

    /** Gated too: O_TRUNC changes the file. */
    @Override
    public Content open(String path, int flags) throws IOException {
        return new Gated(change(() -> delegate.open(path, flags)));
    }

    @Override
    public void truncate(String path, long size) throws IOException {
        changeVoid(() -> delegate.truncate(path, size));
    }

    @Override
    public void rename(String from, String to, int flags) throws IOException {
        nameChangeVoid(() -> delegate.rename(from, to, flags));
    }

    @Override
    public void symlink(String target, String path, Owner owner) throws IOException {
        nameChangeVoid(() -> delegate.symlink(target, path, owner));
    }

    @Override
    public void link(String existing, String newPath) throws IOException {
        nameChangeVoid(() -> delegate.link(existing, newPath));
    }

    @Override
    public void chmod(String path, int mode) throws IOException {
        changeVoid(() -> delegate.chmod(path, mode));
    }

    @Override
    public void chown(String path, int uid, int gid) throws IOException {
        changeVoid(() -> delegate.chown(path, uid, gid));
    }

    @Override
    public void utimens(String path, long atimeSec, long atimeNsec, long mtimeSec, long mtimeNsec) throws IOException {
        changeVoid(() -> delegate.utimens(path, atimeSec, atimeNsec, mtimeSec, mtimeNsec));
    }

    @Override
    public void mknod(String path, int mode, long rdev, Owner owner) throws IOException {
        nameChangeVoid(() -> delegate.mknod(path, mode, rdev, owner));
    }

    @Override
    public void setxattr(String path, String name, ByteBuffer value, int flags) throws IOException {
        changeVoid(() -> delegate.setxattr(path, name, value, flags));
    }

    @Override
    public void removexattr(String path, String name) throws IOException {
        changeVoid(() -> delegate.removexattr(path, name));
    }

    /** A handle whose writes, truncations and allocations pass the gate. */
    private final class Gated extends io.xdevfs.tiers.ForwardingContent {
        Gated(Content content) {
            super(content);
        }

        @Override
        public int write(ByteBuffer src, long offset) throws IOException {
            return change(() -> content.write(src, offset));
        }

        @Override
        public void truncate(long size) throws IOException {
            changeVoid(() -> content.truncate(size));
        }

        @Override
        public void changeMetadata(MetadataChange change) throws IOException {
            changeVoid(() -> content.changeMetadata(change));
        }

        @Override
        public void allocate(int mode, long offset, long length) throws IOException {
            changeVoid(() -> content.allocate(mode, offset, length));
        }
    }
}
