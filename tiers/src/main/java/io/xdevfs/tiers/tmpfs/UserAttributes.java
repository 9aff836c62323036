package io.xdevfs.tiers.tmpfs;

import io.xdevfs.posix.Errno;
import io.xdevfs.posix.Names;
import io.xdevfs.posix.Posix;
import io.xdevfs.posix.PosixException;
import io.xdevfs.tiers.ReservedAttributes;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * A file's user.* extended attributes, xdevfs's file ids among them (DirectoryVolume's FileIds), read
 * for a {@link TreeCopy} so that a restored file is the same file. Names are bytes, as file names are:
 * Java's attribute view would decode them as UTF-8 and not find one that is not. security.*, system.*
 * (ACLs) and trusted.* are the host's and stay out.
 *
 * @param ours   xdevfs's own, which must be copied
 * @param theirs a program's, which a target filesystem that cannot hold them may leave out
 */
record UserAttributes(List<Attribute> ours, List<Attribute> theirs) {
    record Attribute(String name, ByteBuffer value) {
    }

    /** Where the attributes are read from: a path (not following a symlink) or an open descriptor. */
    record Source(Lister lister, Getter getter) {
        interface Lister {
            int list(ByteBuffer names) throws PosixException;
        }

        interface Getter {
            int get(String name, ByteBuffer value) throws PosixException;
        }

        static Source ofPath(Posix posix, String path) {
            return new Source(names -> posix.llistxattr(path, names), (name, value) -> posix.lgetxattr(path, name, value));
        }

        static Source ofDescriptor(Posix posix, int fd) {
            return new Source(names -> posix.flistxattr(fd, names), (name, value) -> posix.fgetxattr(fd, name, value));
        }

        int list(ByteBuffer names) throws PosixException {
            return lister.list(names);
        }

        int get(String name, ByteBuffer value) throws PosixException {
            return getter.get(name, value);
        }
    }

    static final UserAttributes NONE = new UserAttributes(List.of(), List.of());

    static UserAttributes read(Source source) throws PosixException {
        ByteBuffer list = ByteBuffer.allocateDirect(source.list(ByteBuffer.allocateDirect(0)));
        if (list.capacity() == 0) {
            return NONE;
        }
        byte[] names = new byte[source.list(list)];
        list.get(0, names);
        List<Attribute> ours = new ArrayList<>();
        List<Attribute> theirs = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < names.length; i++) {
            if (names[i] != 0) {
                continue;
            }
            String name = Names.ofBytes(names, start, i - start);
            start = i + 1;
            if (name.startsWith(ReservedAttributes.PREFIX)) {
                ours.add(new Attribute(name, value(source, name)));
            } else if (name.startsWith("user.")) {
                theirs.add(new Attribute(name, value(source, name)));
            }
        }
        return new UserAttributes(ours, theirs);
    }

    private static ByteBuffer value(Source source, String name) throws PosixException {
        ByteBuffer value = ByteBuffer.allocateDirect(source.get(name, ByteBuffer.allocateDirect(0)));
        return value.limit(source.get(name, value));
    }

    /**
     * Sets them on {@code target}; returns the name of the first of a program's that the target's
     * filesystem could not hold (ENOSPC, E2BIG: a tmpfs takes more and larger ones per file than ext4's
     * one block) and counts those in {@code leftOut[0]}, or returns null. One file with more attributes
     * than ext4 keeps had failed every backup, so that nothing written after it was backed up at all.
     */
    String writeTo(Posix posix, String target, long[] leftOut) throws PosixException {
        for (Attribute a : ours) {
            posix.lsetxattr(target, a.name(), a.value().duplicate(), 0);
        }
        String first = null;
        for (Attribute a : theirs) {
            try {
                posix.lsetxattr(target, a.name(), a.value().duplicate(), 0);
            } catch (PosixException e) {
                if (e.errno() != Errno.ENOSPC && e.errno() != Errno.E2BIG) {
                    throw e;
                }
                leftOut[0]++;
                if (first == null) {
                    first = a.name();
                }
            }
        }
        return first;
    }
}
