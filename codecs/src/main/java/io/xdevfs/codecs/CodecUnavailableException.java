package io.xdevfs.codecs;

/** The codec's native library does not load on this platform. */
public class CodecUnavailableException extends Exception {
    public CodecUnavailableException(String codec, Throwable cause) {
        super("compression_type " + codec + " is not available on this platform ("
                + System.getProperty("os.name") + " " + System.getProperty("os.arch") + "): " + cause, cause);
    }
}
