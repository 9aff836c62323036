package io.xdevfs.fs;

/** The user asked for something that cannot be done; the message is one line and says why. */
public class UsageException extends RuntimeException {
    public UsageException(String message) {
        super(message);
    }
}
