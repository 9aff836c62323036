package io.xdevfs.tiers;

/** A volume cannot be opened; the message is one line meant for the user. */
public final class VolumeException extends Exception {
    public VolumeException(String message) {
        super(message);
    }
}
