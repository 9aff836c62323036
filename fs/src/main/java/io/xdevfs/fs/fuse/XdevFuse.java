package io.xdevfs.fs.fuse;

import com.kenai.jffi.MemoryIO;
import io.xdevfs.fs.session.AppendOffsets;
import io.xdevfs.fs.session.AttributeTimeouts;
import io.xdevfs.fs.session.ControlRequests;
import io.xdevfs.fs.session.FuseSession;
import io.xdevfs.fs.session.InitReply;
import io.xdevfs.fs.session.KillPrivileges;
import io.xdevfs.fs.session.LargeRequestChannel;
import io.xdevfs.fs.session.LseekRequests;
import io.xdevfs.fs.session.NamelessFiles;
import io.xdevfs.fs.session.OpenNodes;
import io.xdevfs.fs.session.OpenedAttributes;
import io.xdevfs.fs.session.PassthroughOpens;
import io.xdevfs.fs.session.ReleaseRequests;
import io.xdevfs.fs.session.RenameFlags;
import io.xdevfs.fs.session.StaleNodes;
import io.xdevfs.fs.session.SyncRequests;
import io.xdevfs.fs.session.WriteRequests;
import io.xdevfs.posix.Errno;
import io.xdevfs.posix.Flags;
import io.xdevfs.posix.FsStat;
import io.xdevfs.posix.Names;
import io.xdevfs.posix.Posix;
import io.xdevfs.posix.PosixException;
import io.xdevfs.posix.Stat;
import io.xdevfs.posix.StatLayout;
import io.xdevfs.tiers.Content;
import io.xdevfs.tiers.Owner;
import io.xdevfs.tiers.Volume;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Struct;
import jnr.ffi.provider.jffi.ClosureHelper;
import ru.serce.jnrfuse.FuseFillDir;
import ru.serce.jnrfuse.FuseStubFS;
import ru.serce.jnrfuse.NotImplemented;
import ru.serce.jnrfuse.struct.Flock;
import ru.serce.jnrfuse.struct.FuseContext;
import ru.serce.jnrfuse.struct.FuseFileInfo;
import ru.serce.jnrfuse.struct.Statvfs;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * The FUSE boundary: the only class that knows jnr-fuse. Each callback translates types, makes one
 * {@link Volume} or {@link Content} call and answers 0 or a negative errno through {@link Errors};
 * it catches every Throwable, because jnr-fuse turns an escaped exception into "success".
 *
 * <p>Data buffers are not copied: the kernel's request memory is viewed as a direct ByteBuffer and
 * handed to the backing file. POSIX byte-range and flock locks are deliberately left unimplemented
 * ({@link NotImplemented}): the kernel then keeps them itself, which is exact for a local mount.
 */
public final class XdevFuse extends FuseStubFS {
    /** fuse_operations flag bits: nullpath_ok (calls on unlinked open files), utime_omit_ok. */
    private static final int FLAG_NULLPATH_OK = 1;
    private static final int FLAG_UTIME_OMIT_OK = 1 << 2;
    /**
     * struct fuse_file_info (libfuse2, LP64): int flags; unsigned long fh_old; int writepage; then the
     * bit field word (direct_io, keep_cache, flush, nonseekable, ...) at 20; uint64_t fh at 24.
     */
    private static final int BITFIELD_OFFSET = 20;
    private static final int WRITEPAGE_OFFSET = 16;
    private static final int FH_OFFSET = 24;
    private static final int KEEP_CACHE = 1 << 1;
    private static final int DIRECT_IO = 1;
    /**
     * The buffer of a size query (getxattr/listxattr with size 0), shared: it has no room to change.
     * The kernel asks getxattr("security.capability", size 0) before every write, so allocating a
     * direct buffer there would cost an allocation and a Cleaner per write.
     */
    private static final ByteBuffer EMPTY = ByteBuffer.allocateDirect(0);

    private final Volume volume;
    private final Handles handles = new Handles();
    private final OpenNodes openNodes = new OpenNodes(handles);
    private final StaleNodes staleNodes = new StaleNodes();
    private final MemoryIO memory = MemoryIO.getInstance();
    /** The callbacks handed to libfuse, held so that they live as long as this object. */
    private final List<Object> registered = new java.util.ArrayList<>();
    /** The longest name Linux allows, in bytes. */
    private static final int NAME_MAX = 255;
    private final long fhOffset;
    /** fuse_file_info's keep_cache bit, or 0 where this jnr-fuse's layout is not the one we know. */
    private final int keepCacheBit;
    private volatile Runnable onMounted = () -> { };
    private volatile ControlXattrs control;
    /**
     * False answers every xattr call with ENOSYS, which the kernel remembers for the whole mount: it then
     * fails them itself (EOPNOTSUPP) and stops asking for security.capability before every write.
     */
    private final boolean xattrs;
    private final PassthroughOpens passthrough;
    /** What this request's open read of the file, for the rest of the request. */
    private final OpenedAttributes openedAttributes = new OpenedAttributes();
    private final RenameFlags renameFlags;
    /** Null unless the mount asks for FUSE_HANDLE_KILLPRIV_V2: then set-ID bits are cleared here. */
    private final KillPrivileges killPrivileges;
    private final InitReply.Asks asks;
    /** Null with fuse_attr_timeout = 0: then no attributes are cached (libfuse2's attr_timeout=0). */
    private final AttributeTimeouts attributeTimeouts;

    /**
     * {@code asks}: FUSE passthrough (open plain backing files in it) and FUSE_HANDLE_KILLPRIV_V2
     * (clear set-ID bits here; the kernel stops asking for security.capability before writes);
     * {@code attrTimeoutMillis}: how long the kernel may keep the attributes of a file with one name.
     */
    public XdevFuse(Volume volume, boolean xattrs, InitReply.Asks asks, long attrTimeoutMillis, int syncThreads) {
        this.volume = volume;
        this.xattrs = xattrs;
        this.asks = asks;
        this.syncThreads = syncThreads;
        this.passthrough = new PassthroughOpens(handles, asks.passthrough(), openedAttributes);
        this.killPrivileges = asks.handleKillPriv() ? new KillPrivileges(handles) : null;
        this.renameFlags = new RenameFlags(!asks.writebackCache());
        this.attributeTimeouts = attrTimeoutMillis > 0 ? new AttributeTimeouts(attrTimeoutMillis) : null;
        Pointer ops = Struct.getMemory(fuseOperations);
        long flagsOffset = memberOffset(fuseOperations.flag_nullpath_ok);
        ops.putInt(flagsOffset, ops.getInt(flagsOffset) | FLAG_NULLPATH_OK | FLAG_UTIME_OMIT_OK);
        this.fhOffset = memberOffset(FuseFileInfo.of(Memory.allocateDirect(jnr.ffi.Runtime.getSystemRuntime(), 64)).fh);
        this.keepCacheBit = fhOffset == FH_OFFSET ? KEEP_CACHE : 0;
        // Every callback that takes a name is registered raw (RawOperations): names stay bytes, and the
        // data path reads its handle straight from fuse_file_info and writes attributes straight into
        // the kernel's stat buffer, without jnr-fuse's per-call wrapper objects.
        registerOperations();
    }

    /** Serves the daemon's control attributes of the mount root (stats, health, reset). */
    public void control(ControlXattrs control) {
        this.control = control;
    }

    /** The fuse_operations slots that have a callback, by name: libfuse answers ENOSYS for the others. */
    public java.util.Set<String> operationsWithCallbacks() {
        Pointer ops = Struct.getMemory(fuseOperations);
        java.util.Set<String> names = new java.util.TreeSet<>();
        for (java.lang.reflect.Field f : fuseOperations.getClass().getFields()) {
            try {
                Object member = f.get(fuseOperations);
                if (f.getType().getSimpleName().equals("Func") && ops.getAddress(memberOffset(member)) != 0) {
                    names.add(f.getName());
                }
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(e);
            }
        }
        return names;
    }

    /** jnr-ffi struct members hide offset() (not public API); read it reflectively, once. */
    private static long memberOffset(Object member) {
        try {
            java.lang.reflect.Method offset = Struct.class.getClassLoader().loadClass("jnr.ffi.Struct$Member")
                    .getDeclaredMethod("offset");
            offset.setAccessible(true);
            return (long) offset.invoke(member);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot read a struct offset in this jnr-ffi version", e);
        }
    }

    /** The FUSE session (its loop and request threads); set when the session starts. */
    private volatile FuseSession session;
    /** fuse_sync_threads */
    private final int syncThreads;
    /** FSYNC requests, answered outside libfuse; set when the session starts. */
    private volatile SyncRequests sync;
    /** RELEASE requests, answered outside libfuse; set when the session starts. */
    private volatile ReleaseRequests releases;
    /** GETXATTR of the control attributes, answered off the request thread; set when the session starts. */
    private volatile ControlRequests controlRequests;

    private long handle(Pointer fileInfo) {
        return fileInfo.getLong(fhOffset);
    }

    /**
     * Runs the FUSE session on the calling thread until the file system is unmounted; returns 0 after
     * a normal unmount and 1 when the mount could not start. {@code onMounted} runs once the kernel has
     * completed the handshake, i.e. the mount is serving.
     */
    public int serve(String mountPoint, List<String> fuseArgs, Runnable onMounted) {
        this.onMounted = onMounted;
        LseekRequests lseek = new LseekRequests(handles, asks.writebackCache());
        WriteRequests writes = new WriteRequests(handles);
        sync = new SyncRequests(handles, syncThreads);
        releases = new ReleaseRequests(handles, passthrough, Posix.get());
        ControlXattrs c = control;
        controlRequests = xattrs && c != null ? new ControlRequests(ControlXattrs.READABLE, c::get) : null;
        NamelessFiles namelessFiles = new NamelessFiles(openNodes, handles, xattrs);
        LargeRequestChannel.RequestHook both = new LargeRequestChannel.RequestHook() {
            @Override
            public boolean answer(int fd, long address, int length) {
                openedAttributes.answer(fd, address, length); // only forgets the last request's
                staleNodes.answer(fd, address, length); // only looks: OPEN, GETATTR
                passthrough.answer(fd, address, length); // only looks: INIT, OPEN, CREATE
                releases.beforeNameRemoval(address, length); // only runs put-off closes: UNLINK, RENAME
                if (killPrivileges != null) {
                    killPrivileges.answer(fd, address, length); // only looks: WRITE, SETATTR, OPEN
                }
                if (attributeTimeouts != null) {
                    attributeTimeouts.answer(fd, address, length); // only looks: requests answered with attributes
                }
                // RenameFlags first: it forgets the last request's flags at every request, and answers some RENAME2
                return renameFlags.answer(fd, address, length) || openNodes.answer(fd, address, length)
                        || writes.answer(fd, address, length)
                        || sync.answer(fd, address, length) || releases.answer(fd, address, length)
                        || lseek.answer(fd, address, length)
                        || (controlRequests != null && controlRequests.answer(fd, address, length))
                        || namelessFiles.answer(fd, address, length);
            }

            @Override
            public void beforeRead(int fd) {
                releases.beforeRead(fd);
            }

            @Override
            public void replying(long iov, int count) {
                openNodes.replying(iov, count);
                passthrough.replying(iov, count);
                staleNodes.replying(iov, count);
                renameFlags.replying(iov, count);
                if (attributeTimeouts != null) {
                    attributeTimeouts.replying(iov, count);
                }
            }

            @Override
            public boolean replaceReply(int fd, long iov, int count) {
                return openNodes.replaceReply(fd, iov, count);
            }

            @Override
            public InitReply.Asks asks() {
                return asks;
            }
        };
        FuseSession s = new FuseSession();
        session = s;
        return s.run(mountPoint, fuseArgs, Struct.getMemory(fuseOperations),
                Struct.size(fuseOperations), both);
    }

    /** A figure of the session, 0 before it starts. */
    private int sessionFigure(java.util.function.ToIntFunction<FuseSession> figure) {
        FuseSession s = session;
        return s == null ? 0 : figure.applyAsInt(s);
    }

    /**
     * The passthrough figures. Reads and writes of files open in passthrough go from the kernel to the
     * backing file: the daemon's read and write counts miss them, which the stats say.
     */
    public void registerGauges(io.xdevfs.tiers.metrics.Metrics metrics) {
        metrics.gauge("passthrough_active", () -> passthrough.active() ? 1 : 0);
        metrics.gauge("passthrough_opens", passthrough::passthroughOpens);
        metrics.gauge("passthrough_files", passthrough::passthroughNodes);
        metrics.gauge("passthrough_refused", passthrough::refusedRegistrations);
        metrics.gauge("fuse_paths_walked_again", staleNodes::walkedAgain);
        metrics.gauge("fuse_releases_deferred", () -> {
            ReleaseRequests released = releases;
            return released == null ? 0 : released.deferred();
        });
        metrics.gauge("fuse_request_threads", () -> sessionFigure(FuseSession::requestThreads));
        metrics.gauge("fuse_request_threads_started", () -> sessionFigure(FuseSession::requestThreadsStarted));
        metrics.gauge("fuse_syncs_offloaded", () -> {
            SyncRequests syncs = sync;
            return syncs == null ? 0 : syncs.offloaded();
        });
    }

    /** Open handles right now (logged when the daemon unmounts). */
    public int openHandles() {
        return handles.size();
    }

    /** Closes the released files whose close waited for a quiet moment (unmount). */
    private void drainReleases() {
        ReleaseRequests released = releases;
        if (released != null) {
            released.drain();
        }
    }

    /** Closes whatever the kernel did not release (after unmount). */
    public List<java.io.IOException> releaseAll() {
        drainReleases();
        return handles.closeAll();
    }

    /** One operation that answers 0 when it returns and an errno when it throws. */
    @FunctionalInterface
    private interface Action {
        void run() throws Exception;
    }

    /** The error ladder around every callback that answers only 0 or an errno. */
    private static int call(String op, String path, Action action) {
        try {
            action.run();
            return 0;
        } catch (Throwable t) {
            return Errors.toErrno(op, path, t);
        }
    }

    private ByteBuffer view(Pointer buf, long size) {
        return size == 0 ? EMPTY : memory.newDirectByteBuffer(buf.address(), (int) size);
    }

    /**
     * The mode a create, mkdir or mknod asked for, with the caller's umask applied here when the kernel
     * left it to the daemon (FUSE_DONT_MASK, with POSIX ACLs): not under a directory whose default ACL
     * the new file inherits, as POSIX 1003.1e and ext4 have it.
     */
    private int masked(String path, long mode) throws java.io.IOException {
        int m = (int) mode;
        if (!asks.dontMask()) {
            return m; // the kernel applied it
        }
        int umask = (int) getContext().umask.get() & 0777;
        if ((m & umask) == 0) {
            return m;
        }
        int slash = path.lastIndexOf('/');
        return volume.inheritsDefaultAcl(slash <= 0 ? "/" : path.substring(0, slash)) ? m : m & ~umask;
    }

    private Owner caller() {
        FuseContext ctx = getContext();
        return new Owner((int) ctx.uid.get(), (int) ctx.gid.get());
    }

    @Override
    public Pointer init(Pointer conn) {
        onMounted.run();
        return null;
    }

    @Override
    public void destroy(Pointer initResult) {
        SyncRequests syncs = sync;
        if (syncs != null) {
            syncs.close(); // the syncs under way finish before their files close
        }
        ControlRequests controls = controlRequests;
        if (controls != null) {
            controls.close();
        }
        drainReleases();
        handles.closeAll();
    }

    /** A name from libfuse as a byte string ({@link Names}); null for libfuse's NULL (nullpath_ok). */
    private String name(Pointer cString) {
        if (cString == null) {
            return null;
        }
        return Names.ofBytes(memory.getZeroTerminatedByteArray(cString.address()));
    }

    /**
     * Puts {@code callback} into fuse_operations at {@code member}'s slot, replacing jnr-fuse's String
     * callback (if any). The callback is held here for as long as libfuse may call it.
     */
    private <T> void register(Object member, Class<T> type, T callback) {
        registered.add(callback);
        Struct.getMemory(fuseOperations).putPointer(memberOffset(member),
                jnr.ffi.Runtime.getSystemRuntime().getClosureManager().getClosurePointer(type, callback));
    }

    private void registerOperations() {
        register(fuseOperations.getattr, RawOperations.PathPointer.class,
                (p, stat) -> doGetattr(name(p), stat));
        register(fuseOperations.fgetattr, RawOperations.PathTwoPointers.class, this::doFgetattr);
        register(fuseOperations.access, RawOperations.PathInt.class, (p, mask) -> doAccess(name(p), mask));
        register(fuseOperations.chmod, RawOperations.PathMode.class, (p, mode) -> doChmod(name(p), mode));
        register(fuseOperations.chown, RawOperations.Chown.class, (p, uid, gid) -> doChown(name(p), uid, gid));
        register(fuseOperations.utimens, RawOperations.PathPointer.class, (p, ts) -> doUtimens(name(p), ts));
        register(fuseOperations.statfs, RawOperations.PathPointer.class, (p, out) -> doStatfs(name(p), out));
        register(fuseOperations.mkdir, RawOperations.PathMode.class, (p, mode) -> doMkdir(name(p), mode));
        register(fuseOperations.rmdir, RawOperations.PathOnly.class, p -> doRmdir(name(p)));
        register(fuseOperations.unlink, RawOperations.PathOnly.class, p -> doUnlink(name(p)));
        register(fuseOperations.rename, RawOperations.TwoNames.class, (a, b) -> doRename(name(a), name(b)));
        register(fuseOperations.symlink, RawOperations.TwoNames.class, (t, p) -> doSymlink(name(t), name(p)));
        register(fuseOperations.readlink, RawOperations.PathBuffer.class,
                (p, buf, size) -> doReadlink(name(p), buf, size));
        register(fuseOperations.link, RawOperations.TwoNames.class, (a, b) -> doLink(name(a), name(b)));
        register(fuseOperations.mknod, RawOperations.Mknod.class, (p, mode, rdev) -> doMknod(name(p), mode, rdev));
        register(fuseOperations.truncate, RawOperations.Truncate.class, (p, size) -> doTruncate(name(p), size));
        register(fuseOperations.opendir, RawOperations.PathPointer.class, (p, fi) -> doOpendir(name(p)));
        register(fuseOperations.readdir, RawOperations.Readdir.class,
                (p, buf, filler, offset, fi) -> doReaddir(name(p), buf, filler));
        register(fuseOperations.releasedir, RawOperations.PathPointer.class, (p, fi) -> 0);
        register(fuseOperations.fsyncdir, RawOperations.Sync.class, (p, dataOnly, fi) -> doFsyncdir(name(p)));
        register(fuseOperations.create, RawOperations.Create.class, (p, mode, fi) -> doCreate(name(p), mode, fi));
        register(fuseOperations.open, RawOperations.PathPointer.class, (p, fi) -> doOpen(name(p), fi));
        register(fuseOperations.ftruncate, RawOperations.Ftruncate.class, this::doFtruncate);
        register(fuseOperations.fallocate, RawOperations.Fallocate.class, this::doFallocate);
        register(fuseOperations.read, RawOperations.Io.class, this::doRead);
        register(fuseOperations.write, RawOperations.Io.class, this::doWrite);
        // No flush: nothing is buffered in the daemon, and the kernel stops sending FLUSH (a round trip
        // per close) once it is answered ENOSYS. With the writeback cache it still writes the file's
        // pages before close returns.
        register(fuseOperations.fsync, RawOperations.Sync.class, this::doFsync);
        register(fuseOperations.release, RawOperations.PathPointer.class, this::doRelease);
        register(fuseOperations.setxattr, RawOperations.Setxattr.class,
                (p, n, value, size, flags) -> doSetxattr(name(p), name(n), value, size, flags));
        register(fuseOperations.getxattr, RawOperations.Getxattr.class,
                (p, n, value, size) -> doGetxattr(name(p), name(n), value, size));
        register(fuseOperations.listxattr, RawOperations.PathBuffer.class,
                (p, list, size) -> doListxattr(name(p), list, size));
        register(fuseOperations.removexattr, RawOperations.TwoNames.class, (p, n) -> doRemovexattr(name(p), name(n)));
    }

    // ---- attributes ------------------------------------------------------------------------------

    private int doAccess(String path, int mask) {
        return call("access", path, () -> volume.access(path, mask, caller()));
    }

    private int doChmod(String path, long mode) {
        return call("chmod", path, () -> {
            volume.chmod(path, (int) mode);
            if (killPrivileges != null) {
                killPrivileges.modeChanged(); // writes look at the mode again (KillPrivileges)
            }
        });
    }

    private int doChown(String path, long uid, long gid) {
        return call("chown", path, () -> volume.chown(path, (int) uid, (int) gid));
    }

    /** struct timespec[2] (atime, mtime): tv_sec, tv_nsec, each a long on LP64. */
    private int doUtimens(String path, Pointer ts) {
        return call("utimens", path, () -> volume.utimens(path, ts.getLong(0), ts.getLong(8),
                ts.getLong(16), ts.getLong(24)));
    }

    private int doStatfs(String path, Pointer buf) {
        return call("statfs", path, () -> {
            FsStat s = volume.statfs();
            Statvfs out = Statvfs.of(buf);
            out.f_bsize.set(s.blockSize());
            out.f_frsize.set(s.fragmentSize());
            out.f_blocks.set(s.blocks());
            out.f_bfree.set(s.blocksFree());
            out.f_bavail.set(s.blocksAvailable());
            out.f_files.set(s.files());
            out.f_ffree.set(s.filesFree());
            out.f_favail.set(s.filesAvailable());
            out.f_namemax.set(s.nameMax());
        });
    }

    // ---- names -------------------------------------------------------------------------------------

    private int doMkdir(String path, long mode) {
        return call("mkdir", path, () -> volume.mkdir(path, masked(path, mode), caller()));
    }

    private int doRmdir(String path) {
        return call("rmdir", path, () -> volume.rmdir(path));
    }

    private int doUnlink(String path) {
        return call("unlink", path, () -> volume.unlink(path));
    }

    private int doRename(String from, String to) {
        return call("rename", from, () -> volume.rename(from, to, renameFlags.flags()));
    }

    private int doSymlink(String target, String path) {
        return call("symlink", path, () -> volume.symlink(target, path, caller()));
    }

    private int doReadlink(String path, Pointer buf, long size) {
        return call("readlink", path, () -> {
            byte[] target = Names.bytes(volume.readlink(path));
            // FUSE wants a NUL-terminated string, truncated to the buffer like readlink(2).
            int n = (int) Math.min(target.length, size - 1);
            buf.put(0, target, 0, n);
            buf.putByte(n, (byte) 0);
        });
    }

    /**
     * With the writeback cache a second name is refused (EPERM, as on a filesystem without hard links):
     * libfuse2 gives each name its own kernel inode, each would keep its own size and dirty pages, and
     * the kernel never takes a size from the daemon on such a mount.
     */
    private int doLink(String existing, String newPath) {
        return call("link", newPath, () -> {
            if (asks.writebackCache()) {
                throw new io.xdevfs.posix.PosixException(io.xdevfs.posix.Errno.EPERM, "link (fuse_writeback_cache)",
                        newPath);
            }
            volume.link(existing, newPath);
        });
    }

    private int doMknod(String path, long mode, long rdev) {
        return call("mknod", path, () -> volume.mknod(path, masked(path, mode), rdev, caller()));
    }

    private int doTruncate(String path, long size) {
        return call("truncate", path, () -> {
            volume.truncate(path, size);
            if (killPrivileges != null && killPrivileges.takePending()) { // the reply carries the new mode
                int mode = volume.getattr(path).mode;
                int cleared = KillPrivileges.cleared(mode);
                if (cleared != mode) {
                    volume.chmod(path, cleared & 07777);
                }
            }
        });
    }

    // ---- directories -----------------------------------------------------------------------------

    private int doOpendir(String path) {
        return call("opendir", path, () -> {
            if (!volume.getattr(path).isDirectory()) {
                throw new io.xdevfs.posix.PosixException(io.xdevfs.posix.Errno.ENOTDIR, "opendir", path);
            }
        });
    }

    /**
     * Hands each name's bytes to libfuse's filler as they are read from the volume, NUL-terminated: a
     * directory of millions of names goes into libfuse's buffer without passing through the heap at
     * once (a list of 1.2 million names exhausted the 128 MiB heap and took the daemon down).
     */
    private int doReaddir(String path, Pointer buf, Pointer fillerPointer) {
        return call("readdir", path, () -> {
            FuseFillDir filler = fillDir(fillerPointer);
            ByteBuffer name = ByteBuffer.allocateDirect(NAME_MAX + 1);
            if (fill(filler, buf, name, ".") || fill(filler, buf, name, "..")) {
                return;
            }
            volume.readdir(path, e -> !fill(filler, buf, name, e.name()));
        });
    }

    /** True when libfuse's buffer is full. */
    private static boolean fill(FuseFillDir filler, Pointer buf, ByteBuffer scratch, String name) {
        scratch.clear();
        scratch.put(Names.bytes(name)).put((byte) 0).flip();
        return filler.apply(buf, scratch, null, 0) != 0;
    }

    private static FuseFillDir fillDir(Pointer function) {
        ClosureHelper helper = ClosureHelper.getInstance();
        return (FuseFillDir) helper.getNativeConveter(FuseFillDir.class).fromNative(function,
                helper.getFromNativeContext());
    }

    private int doFsyncdir(String path) {
        return call("fsyncdir", path, () -> volume.syncDirectory(path));
    }

    // ---- open files --------------------------------------------------------------------------------

    /** struct fuse_file_info opens with int flags. */
    private int doCreate(String path, long mode, Pointer fi) {
        return call("create", path, () -> opened(volume.create(path, openFlags(fi), masked(path, mode), caller()), fi));
    }

    private int doOpen(String path, Pointer fi) {
        return call("open", path, () -> {
            Content content = volume.open(path, openFlags(fi));
            if (killPrivileges != null) {
                killPrivileges.clearIfAsked(content);
            }
            openNodes.opened(opened(content, fi));
        });
    }

    /**
     * The open's flags as the volume should see them. Never O_APPEND: the kernel names the offset of
     * every write and sends the descriptor's flags with it, which fcntl may have changed since the open
     * ({@link AppendOffsets}); passthrough writes append where the kernel's flag says, at the backing
     * file's end. With the writeback cache the kernel reads pages through whatever handle it holds,
     * write-only ones included, to fill the partly written ones.
     */
    private int openFlags(Pointer fi) {
        int flags = fi.getInt(0) & ~Flags.O_APPEND; // each WRITE says whether it appends (AppendOffsets)
        if (!asks.writebackCache()) {
            return flags;
        }
        return (flags & Flags.O_ACCMODE) == Flags.O_WRONLY ? (flags & ~Flags.O_ACCMODE) | Flags.O_RDWR : flags;
    }

    /**
     * Registers the handle and lets the kernel keep the file's page cache across opens when that is
     * coherent: libfuse2's path API gives every name its own kernel inode, so only a file with one
     * name has all its writes pass through the inode that caches it. A hard-linked file starts each
     * open with an empty cache, as without keep_cache; with the writeback cache, which would hold one
     * name's writes from the others, it is opened with direct_io (no page cache at all).
     */
    private long opened(Content content, Pointer fi) throws java.io.IOException {
        long fh = handles.add(content);
        fi.putLong(fhOffset, fh);
        Stat st = content.attributesAtOpen();
        openedAttributes.opened(fh, st);
        if (keepCacheBit != 0) {
            boolean oneName = st.nlink <= 1;
            int bits = oneName ? keepCacheBit : asks.writebackCache() ? DIRECT_IO : 0;
            fi.putInt(BITFIELD_OFFSET, fi.getInt(BITFIELD_OFFSET) | bits);
        }
        return fh;
    }

    private int doFtruncate(Pointer path, long size, Pointer fi) {
        return call("ftruncate", path, () -> {
            Content open = handles.get(handle(fi));
            open.truncate(size);
            if (killPrivileges != null) {
                killPrivileges.clearIfAsked(open);
            }
        });
    }

    private int doFallocate(Pointer path, int mode, long offset, long length, Pointer fi) {
        return call("fallocate", path, () -> handles.get(handle(fi)).allocate(mode, offset, length));
    }

    // ---- the data path: the name is decoded only for an error's log line -------------------------

    private int doGetattr(String path, Pointer stat) {
        return call("getattr", path, () -> StatLayout.write(volume.getattr(path), stat));
    }

    /**
     * A released handle (another thread closed the file while {@link OpenNodes} named this handle in
     * a GETATTR, before or after this call found it) falls back to the name, as the GETATTR would have
     * been answered without it.
     */
    private int doFgetattr(Pointer path, Pointer stat, Pointer fi) {
        return call("fgetattr", path, () -> {
            Content open = handles.find(handle(fi));
            Stat opened = openedAttributes.of(handle(fi)); // a create's answer
            if (opened == null && open != null && path != null) {
                try {
                    StatLayout.write(open.attributes(), stat);
                    return;
                } catch (PosixException e) {
                    if (e.errno() != Errno.EBADF) {
                        throw e;
                    }
                    open = null; // closed by a RELEASE on another dispatch thread since it was found
                }
            }
            if (open == null && path != null) {
                StatLayout.write(volume.getattr(name(path)), stat);
                return;
            }
            StatLayout.write(opened != null ? opened : (open != null ? open : handles.get(handle(fi))).attributes(), stat);
        });
    }

    private int doRead(Pointer path, Pointer buf, long size, long offset, Pointer fi) {
        try {
            return handles.get(handle(fi)).read(view(buf, size), offset);
        } catch (Throwable t) {
            return Errors.toErrno("read", name(path), t);
        }
    }

    private int doWrite(Pointer path, Pointer buf, long size, long offset, Pointer fi) {
        try {
            Content open = handles.get(handle(fi));
            // fuse_file_info: flags (the descriptor's now), then writepage (a write of the page cache) at 16
            return open.write(view(buf, size), AppendOffsets.of(open, offset, fi.getInt(WRITEPAGE_OFFSET), fi.getInt(0)));
        } catch (Throwable t) {
            return Errors.toErrno("write", name(path), t);
        }
    }

    private int doFsync(Pointer path, int isdatasync, Pointer fi) {
        return call("fsync", path, () -> handles.get(handle(fi)).sync(isdatasync != 0));
    }

    private int doRelease(Pointer path, Pointer fi) {
        return call("release", path, () -> handles.release(handle(fi)));
    }

    /** {@link #call(String, String, Action)} for callbacks that decode their name only on failure. */
    private int call(String op, Pointer path, Action action) {
        try {
            action.run();
            return 0;
        } catch (Throwable t) {
            return Errors.toErrno(op, name(path), t);
        }
    }

    @NotImplemented
    @Override
    public int lock(String path, FuseFileInfo fi, int cmd, Flock flock) {
        return -io.xdevfs.posix.Errno.ENOSYS;
    }

    @NotImplemented
    @Override
    public int flock(String path, FuseFileInfo fi, int op) {
        return -io.xdevfs.posix.Errno.ENOSYS;
    }

    // ---- extended attributes -----------------------------------------------------------------------

    private int doSetxattr(String path, String name, Pointer value, long size, int flags) {
        if (!xattrs) {
            return -io.xdevfs.posix.Errno.ENOSYS;
        }
        ControlXattrs c = control;
        if (c != null && ControlXattrs.handles(path, name)) {
            return call("setxattr", path, () -> c.set(name));
        }
        return call("setxattr", path, () -> volume.setxattr(path, name, view(value, size), flags));
    }

    private int doGetxattr(String path, String name, Pointer value, long size) {
        if (!xattrs) {
            return -io.xdevfs.posix.Errno.ENOSYS;
        }
        try {
            ControlXattrs c = control;
            if (c != null && ControlXattrs.handles(path, name)) {
                byte[] bytes = c.get(name);
                if (size == 0) {
                    return bytes.length;
                }
                if (size < bytes.length) {
                    return -io.xdevfs.posix.Errno.ERANGE;
                }
                value.put(0, bytes, 0, bytes.length);
                return bytes.length;
            }
            return volume.getxattr(path, name, view(value, size));
        } catch (Throwable t) {
            return Errors.toErrno("getxattr", path, t);
        }
    }

    private int doListxattr(String path, Pointer list, long size) {
        if (!xattrs) {
            return -io.xdevfs.posix.Errno.ENOSYS;
        }
        try {
            return volume.listxattr(path, view(list, size));
        } catch (Throwable t) {
            return Errors.toErrno("listxattr", path, t);
        }
    }

    private int doRemovexattr(String path, String name) {
        if (!xattrs) {
            return -io.xdevfs.posix.Errno.ENOSYS;
        }
        return call("removexattr", path, () -> volume.removexattr(path, name));
    }
}
