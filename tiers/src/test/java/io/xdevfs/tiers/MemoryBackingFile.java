package io.xdevfs.tiers;

import io.xdevfs.posix.Flags;
import io.xdevfs.posix.Stat;
import io.xdevfs.tiers.directory.BackingFile;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * A backing file in memory, with no descriptor: proof that a format needs only {@link BackingFile}
 * (as one over a block device's extents or another volume's file will). Punching and zeroing store
 * zeros; everything is data to SEEK_DATA. Handles ({@link #duplicate}) share the bytes.
 */
final class MemoryBackingFile implements BackingFile {
    private static final class Bytes {
        byte[] data = new byte[0];
        long mtimeSec;
        long mtimeNsec;
        volatile Runnable onSync = () -> { };
    }

    private final Bytes bytes;
    private final long id;

    MemoryBackingFile(long id) {
        this(new Bytes(), id);
    }

    private MemoryBackingFile(Bytes bytes, long id) {
        this.bytes = bytes;
        this.id = id;
    }

    @Override
    public long id() {
        return id;
    }

    @Override
    public int read(ByteBuffer dst, long offset) {
        synchronized (bytes) {
            int n = (int) Math.max(0, Math.min(dst.remaining(), bytes.data.length - offset));
            dst.put(bytes.data, (int) offset, n);
            return n;
        }
    }

    @Override
    public int readOnce(ByteBuffer dst, long offset) {
        return read(dst, offset);
    }

    @Override
    public int write(ByteBuffer src, long offset) {
        synchronized (bytes) {
            int n = src.remaining();
            if (offset + n > bytes.data.length) {
                bytes.data = Arrays.copyOf(bytes.data, Math.toIntExact(offset + n));
            }
            src.get(bytes.data, (int) offset, n);
            bytes.mtimeNsec++;
            return n;
        }
    }

    @Override
    public long size() {
        synchronized (bytes) {
            return bytes.data.length;
        }
    }

    @Override
    public void truncate(long size) {
        synchronized (bytes) {
            bytes.data = Arrays.copyOf(bytes.data, Math.toIntExact(size));
        }
    }

    @Override
    public void allocate(int mode, long offset, long length) {
        synchronized (bytes) {
            long end = offset + length;
            if ((mode & (Flags.FALLOC_FL_PUNCH_HOLE | Flags.FALLOC_FL_ZERO_RANGE)) != 0) {
                Arrays.fill(bytes.data, (int) Math.min(offset, bytes.data.length), (int) Math.min(end, bytes.data.length), (byte) 0);
            }
            if ((mode & Flags.FALLOC_FL_KEEP_SIZE) == 0 && end > bytes.data.length) {
                bytes.data = Arrays.copyOf(bytes.data, Math.toIntExact(end));
            }
        }
    }

    @Override
    public void sync(boolean dataOnly) {
        bytes.onSync.run();
    }

    /** What every handle's sync runs first (a test holds a sync there while others go on). */
    void onSync(Runnable hook) {
        bytes.onSync = hook;
    }

    @Override
    public Stat attributes() {
        synchronized (bytes) {
            Stat st = new Stat();
            st.ino = id;
            st.mode = Flags.S_IFREG | 0644;
            st.nlink = 1;
            st.size = bytes.data.length;
            st.blocks = (bytes.data.length + 511) / 512;
            st.mtimeSec = bytes.mtimeSec;
            st.mtimeNsec = bytes.mtimeNsec;
            return st;
        }
    }

    @Override
    public void changeMetadata(MetadataChange change) {
        if (change instanceof MetadataChange.Times t && t.mtimeNsec() != Flags.UTIME_OMIT) {
            synchronized (bytes) {
                bytes.mtimeSec = t.mtimeSec();
                bytes.mtimeNsec = t.mtimeNsec();
            }
        }
    }

    @Override
    public BackingFile duplicate() {
        return new MemoryBackingFile(bytes, id);
    }

    @Override
    public void close() {
    }
}
