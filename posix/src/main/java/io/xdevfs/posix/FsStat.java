package io.xdevfs.posix;

/** statvfs(3) of a backing filesystem: block counts are in units of {@code fragmentSize}. */
public record FsStat(long blockSize, long fragmentSize, long blocks, long blocksFree, long blocksAvailable,
                     long files, long filesFree, long filesAvailable, long nameMax) {
}
