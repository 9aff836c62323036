package io.xdevfs.tiers.tmpfs;

import java.io.IOException;

/**
 * A tmpfs backup that completed and became current but lacks something its filesystem could not hold
 * (extended attributes beyond ext4's room): reported as a fault of its own, not as a failed copy.
 */
final class IncompleteBackup extends IOException {
    IncompleteBackup(String message) {
        super(message);
    }
}
