package io.xdevfs.posix;

/** One name in a directory, with the inode number and the d_type the backing filesystem gave. */
public record DirEntry(String name, long ino, int type) {
}
