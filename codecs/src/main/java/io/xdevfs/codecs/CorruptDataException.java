package io.xdevfs.codecs;

import java.io.IOException;

/** Stored bytes that fail their checksum or do not decode: the data is damaged, never returned. */
public class CorruptDataException extends IOException {
    public CorruptDataException(String message) {
        super(message);
    }

    public CorruptDataException(String message, Throwable cause) {
        super(message, cause);
    }
}
