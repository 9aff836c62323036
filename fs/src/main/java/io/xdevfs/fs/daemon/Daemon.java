package io.xdevfs.fs.daemon;

import io.xdevfs.fs.Log;
import io.xdevfs.fs.config.ConfigLoader;
import io.xdevfs.fs.config.FusePassthrough;
import io.xdevfs.fs.config.KernelOptions;
import io.xdevfs.fs.config.MonitoringConfig;
import io.xdevfs.fs.fuse.ControlXattrs;
import io.xdevfs.fs.fuse.ReadAhead;
import io.xdevfs.fs.fuse.XdevFuse;
import io.xdevfs.fs.session.InitReply;
import io.xdevfs.posix.Posix;
import io.xdevfs.tiers.LocalConfig;
import io.xdevfs.tiers.OwnFiles;
import io.xdevfs.tiers.StorageType;
import io.xdevfs.tiers.Volume;
import io.xdevfs.tiers.VolumeException;
import io.xdevfs.tiers.Volumes;
import io.xdevfs.tiers.metrics.MeteredVolume;
import io.xdevfs.tiers.metrics.Metrics;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One mount's life: open the volume, serve FUSE until unmounted, then release every handle and close
 * the volume. SIGTERM/SIGINT (a JVM shutdown) unmount first, so the kernel stops sending requests
 * before anything is closed; {@code umount MOUNTPOINT} from outside ends the session the same way.
 */
public final class Daemon {
    private final LocalConfig config;
    private final MonitoringConfig monitoringConfig;
    private final Path mountPoint;
    private final List<String> fuseArgs;
    private final MemoryBudget memory;
    private final int readAheadKb;
    /** fuse_sync_threads */
    private final int syncThreads;
    private final boolean xattrs;
    private final InitReply.Asks asks;
    private final long attrTimeoutMillis;
    private final Path pidFile;
    private final Path controlSocketPath;
    private final AtomicBoolean closed = new AtomicBoolean();

    private Monitoring monitoring;
    /** The control channel of a mount without extended attributes; null on every other mount. */
    private volatile ControlSocket controlSocket;

    public Daemon(ConfigLoader.Config config, Path mountPoint, List<String> fuseArgs, RunFiles files, MemoryBudget memory) {
        this.memory = memory;
        this.config = config.local();
        this.monitoringConfig = config.monitoring();
        this.readAheadKb = config.readAheadKb();
        this.xattrs = config.xattrs();
        KernelOptions kernel = config.kernel();
        if (kernel.writebackCache() && kernel.passthrough() == FusePassthrough.AUTO) {
            Log.info("fuse_writeback_cache = true: no file is opened in FUSE passthrough (the kernel does not "
                    + "combine the two)");
        }
        // Asked of the kernel, which may still not offer it; a block volume's files have no backing file for it.
        boolean passthrough = kernel.passthrough() != FusePassthrough.OFF && !kernel.writebackCache()
                && config.local().storageType() != StorageType.BLOCK
                && Preflight.passthroughUnavailable(Posix.get().geteuid() == 0) == null;
        // ACLs are extended attributes: enforced where those are served (without them the kernel has none to read).
        InitReply.Asks asked = InitReply.Asks.of(passthrough, kernel);
        this.asks = xattrs ? asked.with(InitReply.FUSE_POSIX_ACL | InitReply.FUSE_DONT_MASK) : asked;
        this.attrTimeoutMillis = kernel.attrTimeoutMillis();
        this.syncThreads = kernel.syncThreads();
        this.mountPoint = mountPoint;
        this.fuseArgs = fuseArgs;
        this.pidFile = files.pidFile();
        this.controlSocketPath = files.controlSocket();
    }

    public int run() throws InterruptedException {
        BackgroundFaults background = new BackgroundFaults();
        Volumes.onBackgroundFault(e -> {
            Log.warn("background work failed: " + e.getMessage());
            background.record(e);
        });
        Volumes.onNotice(Log::info);
        Volumes.onCacheFault(e -> Log.warn("block cache switched off after a fault (reads go to the backing "
                + "store from now on): " + e));
        DescriptorLimit descriptors = DescriptorLimit.fit(Posix.get(), config);
        Volume opened;
        try {
            opened = Volumes.open(descriptors.config());
        } catch (VolumeException e) {
            System.err.println("xdevfs: " + e.getMessage());
            return 1;
        }
        Metrics metrics = monitoringConfig.enableMetrics() ? new Metrics(System::nanoTime) : null;
        Volume volume = metrics == null ? opened : metered(opened, metrics);
        HealthCheck health = new HealthCheck(volume, metrics, background);
        if (metrics != null) {
            metrics.gauge("background_failures_total", background::count);
            metrics.gauge("open_files_bound", descriptors.config()::maxOpenFiles); // per volume, after fitting
        }
        monitoring = new Monitoring(monitoringConfig, metrics, health);
        try {
            monitoring.start();
        } catch (IOException e) {
            System.err.println("xdevfs: " + e.getMessage());
            monitoring.close();
            closeQuietly(volume);
            return 1;
        }
        // Modes arrive with the caller's umask applied (by the kernel, or with POSIX ACLs by XdevFuse): ours must not apply twice.
        Posix.get().umask(0);
        XdevFuse fuse;
        try {
            fuse = new XdevFuse(volume, xattrs, asks, attrTimeoutMillis, syncThreads);
        } catch (RuntimeException | LinkageError e) {
            System.err.println("xdevfs: cannot start FUSE: " + e);
            monitoring.close();
            closeQuietly(volume);
            return 1;
        }
        if (metrics != null) {
            fuse.registerGauges(metrics);
        }
        ControlXattrs control = new ControlXattrs(metrics, mountPoint.toString(), health::run);
        fuse.control(control);
        CountDownLatch mounted = new CountDownLatch(1);
        AtomicInteger status = new AtomicInteger(-1);
        Thread session = new Thread(() -> status.set(fuse.serve(mountPoint.toString(), fuseArgs, mounted::countDown)),
                "fuse-session");
        session.start();
        while (!mounted.await(50, TimeUnit.MILLISECONDS)) {
            if (!session.isAlive()) {
                System.err.println("xdevfs: FUSE could not mount " + mountPoint + " (status " + status.get()
                        + "; see the libfuse message above)");
                close(fuse, volume);
                return 1;
            }
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(session, fuse, volume), "xdevfs-shutdown"));
        InterruptUnmounts.evenIfIgnored();
        if (readAheadKb >= 0) {
            String failed = ReadAhead.apply(mountPoint, readAheadKb);
            if (failed != null) {
                Log.warn("read_ahead_kb = " + readAheadKb + " not applied: " + failed);
            }
        }
        writePidFile();
        Log.info("memory budget " + memory.describe() + (memory.enforcedHere() ? ""
                : "; not enforced: this JVM may grow its heap to " + Runtime.getRuntime().maxMemory() / MemoryBudget.MIB
                + " MiB (xdevfs mount in the background sets " + String.join(" ", memory.jvmOptions())
                + "; in the foreground pass them in XDEVFS_JAVA_OPTS)"));
        String shortfall = memory.heapShortfallHere();
        if (shortfall != null) {
            Log.warn("memory: " + shortfall);
        }
        if (descriptors.note() != null) {
            Log.info(descriptors.note());
        }
        Log.info("mounted " + (config.block() != null ? config.block().device() : config.baseDirectory()) + " on " + mountPoint + " (storage_type "
                + config.storageType().configName() + ", FUSE " + String.join(" ", fuseArgs) + ")");
        if (!xattrs) {
            openControlSocket(control);
        } else {
            deleteQuietly(controlSocketPath); // one a daemon killed with -9 left: the CLI asks the attributes here
        }
        session.join();
        Log.info("unmounted " + mountPoint + "; releasing " + fuse.openHandles() + " open handles");
        close(fuse, volume);
        return status.get() == 0 ? 0 : 1;
    }

    /** Without extended attributes, xdevfs stats and health ask over a socket instead. */
    private void openControlSocket(ControlXattrs control) {
        try {
            controlSocket = ControlSocket.open(controlSocketPath, control);
            Log.info("enable_xattr = false: extended attributes fail with EOPNOTSUPP on this mount; xdevfs "
                    + "stats/health ask the daemon over " + controlSocketPath + " (its user only)");
        } catch (IOException e) {
            Log.warn("enable_xattr = false and no control socket at " + controlSocketPath + " (" + e.getMessage()
                    + "): xdevfs stats/health cannot reach this mount; metrics_port and this log still report");
        }
    }

    /** Every call counted and timed; slow ones logged with path, operation, size and latency. */
    private Volume metered(Volume opened, Metrics metrics) {
        long slowNanos = monitoringConfig.logSlowOperations() ? monitoringConfig.slowThresholdMs() * 1_000_000 : 0;
        Volume volume = new MeteredVolume(opened, metrics, slowNanos, (op, path, bytes, nanos) -> Log.warn(
                String.format(java.util.Locale.ROOT, "slow %s %s: %d bytes in %.1f ms", op.key(), path, bytes,
                        nanos / 1e6)));
        volume.registerGauges(metrics);
        memory.registerGauges(metrics);
        return volume;
    }

    /** Shutdown hook: unmount (lazily if busy), wait for the session to end, then close. */
    private void stop(Thread session, XdevFuse fuse, Volume volume) {
        if (session.isAlive()) {
            Log.info("signal received: unmounting " + mountPoint);
            String problem = Unmounter.unmount(mountPoint, false);
            if (problem != null) {
                Log.warn("unmount failed (" + problem + "); detaching lazily");
                Unmounter.unmount(mountPoint, true);
            }
            try {
                session.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        close(fuse, volume);
    }

    private void close(XdevFuse fuse, Volume volume) {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (controlSocket != null) {
            controlSocket.close();
        }
        monitoring.close();
        fuse.releaseAll().forEach(e -> Log.warn("closing a handle at unmount failed: " + e.getMessage()));
        closeQuietly(volume);
        deleteQuietly(pidFile);
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            Log.warn("cannot remove " + file + ": " + e.getMessage());
        }
    }

    private static void closeQuietly(Volume volume) {
        try {
            volume.close();
        } catch (IOException e) {
            Log.warn("closing the volume failed: " + e.getMessage());
        }
    }

    private void writePidFile() {
        try {
            Files.createDirectories(pidFile.toAbsolutePath().getParent(), OwnFiles.SHARED_DIRECTORY);
            Path tmp = pidFile.resolveSibling(pidFile.getFileName() + ".tmp");
            OwnFiles.writeString(tmp, ProcessHandle.current().pid() + "\n", OwnFiles.SHARED_FILE);
            Files.move(tmp, pidFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            Log.warn("cannot write pid file " + pidFile + ": " + e.getMessage());
        }
    }
}
