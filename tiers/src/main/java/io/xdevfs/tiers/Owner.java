package io.xdevfs.tiers;

/** Who a new file belongs to, or who asks (access checks): the calling process's uid and gid. */
public record Owner(int uid, int gid) {
}
