package io.xdevfs.tiers.block;

import io.xdevfs.tiers.Content;
import io.xdevfs.tiers.ForwardingContent;
import io.xdevfs.tiers.directory.OpenFiles;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A handle of a block volume whose files are stored in a format (compressed, sparse): the format's
 * content over the file's {@link BlockContent}, holding a reference to the file's entry in the volume's
 * {@link OpenFiles} (where the format keeps what every handle of the file shares) until it closes.
 */
final class FormattedContent extends ForwardingContent {
    private final OpenFiles.Entry open;
    private final AtomicBoolean closed = new AtomicBoolean();

    FormattedContent(Content content, OpenFiles.Entry open) {
        super(content);
        this.open = open;
    }

    /** The format's handle first (a compressed file's last writer hands its finishing on), then the reference. */
    @Override
    public void close() throws IOException {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            content.close();
        } finally {
            open.release();
        }
    }
}
