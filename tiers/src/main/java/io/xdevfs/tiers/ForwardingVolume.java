package io.xdevfs.tiers;

import io.xdevfs.posix.DirEntry;
import io.xdevfs.posix.FsStat;
import io.xdevfs.posix.Stat;
import io.xdevfs.tiers.metrics.Metrics;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;

/** A {@link Volume} that passes every call to another: decorators override only what they change. */
public abstract class ForwardingVolume implements Volume {
    protected final Volume delegate;

    public ForwardingVolume(Volume delegate) {
        this.delegate = delegate;
    }

    @Override
    public Stat getattr(String path) throws IOException {
        return delegate.getattr(path);
    }

    @Override
    public List<DirEntry> readdir(String path) throws IOException {
        return delegate.readdir(path);
    }

    @Override
    public void readdir(String path, java.util.function.Predicate<DirEntry> each) throws IOException {
        delegate.readdir(path, each);
    }

    @Override
    public void mkdir(String path, int mode, Owner owner) throws IOException {
        delegate.mkdir(path, mode, owner);
    }

    @Override
    public void rmdir(String path) throws IOException {
        delegate.rmdir(path);
    }

    @Override
    public void unlink(String path) throws IOException {
        delegate.unlink(path);
    }

    @Override
    public Content create(String path, int flags, int mode, Owner owner) throws IOException {
        return delegate.create(path, flags, mode, owner);
    }

    @Override
    public Content open(String path, int flags) throws IOException {
        return delegate.open(path, flags);
    }

    @Override
    public void truncate(String path, long size) throws IOException {
        delegate.truncate(path, size);
    }

    @Override
    public void rename(String from, String to, int flags) throws IOException {
        delegate.rename(from, to, flags);
    }

    @Override
    public void symlink(String target, String path, Owner owner) throws IOException {
        delegate.symlink(target, path, owner);
    }

    @Override
    public String readlink(String path) throws IOException {
        return delegate.readlink(path);
    }

    @Override
    public void link(String existing, String newPath) throws IOException {
        delegate.link(existing, newPath);
    }

    @Override
    public void chmod(String path, int mode) throws IOException {
        delegate.chmod(path, mode);
    }

    @Override
    public void chown(String path, int uid, int gid) throws IOException {
        delegate.chown(path, uid, gid);
    }

    @Override
    public void utimens(String path, long atimeSec, long atimeNsec, long mtimeSec, long mtimeNsec) throws IOException {
        delegate.utimens(path, atimeSec, atimeNsec, mtimeSec, mtimeNsec);
    }

    @Override
    public void mknod(String path, int mode, long rdev, Owner owner) throws IOException {
        delegate.mknod(path, mode, rdev, owner);
    }

    @Override
    public FsStat statfs() throws IOException {
        return delegate.statfs();
    }

    @Override
    public void syncDirectory(String path) throws IOException {
        delegate.syncDirectory(path);
    }

    @Override
    public void access(String path, int mask, Owner caller) throws IOException {
        delegate.access(path, mask, caller);
    }

    @Override
    public int getxattr(String path, String name, ByteBuffer value) throws IOException {
        return delegate.getxattr(path, name, value);
    }

    /** Asked of the innermost volume: a look that is not a program's getxattr (not metered, not gated). */
    @Override
    public boolean inheritsDefaultAcl(String dir) throws IOException {
        return delegate.inheritsDefaultAcl(dir);
    }

    @Override
    public void setxattr(String path, String name, ByteBuffer value, int flags) throws IOException {
        delegate.setxattr(path, name, value, flags);
    }

    @Override
    public int listxattr(String path, ByteBuffer names) throws IOException {
        return delegate.listxattr(path, names);
    }

    @Override
    public void removexattr(String path, String name) throws IOException {
        delegate.removexattr(path, name);
    }

    @Override
    public void checkWritable() throws IOException {
        delegate.checkWritable();
    }

    @Override
    public void registerGauges(Metrics metrics) {
        delegate.registerGauges(metrics);
    }

    @Override
    public void close() throws IOException {
        delegate.close();
    }
}
