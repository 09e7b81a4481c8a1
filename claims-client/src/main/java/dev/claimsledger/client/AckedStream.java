package dev.claimsledger.client;

import java.util.Objects;

/** How far a worker got in one of its streams, recorded with a release: the stream's path and the offset acked. */
public record AckedStream(String path, String offset) {

    public AckedStream {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(offset, "offset");
    }
}
