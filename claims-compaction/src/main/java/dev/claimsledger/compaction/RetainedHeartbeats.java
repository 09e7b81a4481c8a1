package dev.claimsledger.compaction;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The heartbeats whose detail retention dropped, read back from its export files, for the Merkle log's leaves: with
 * them, the log's tiles that hold dropped heartbeats can still be recomputed and proved. It keeps in memory only where
 * each exported run is (its stream, its last sequence, its file and offset), about 50 bytes a run, and reads a run's
 * line when it is asked for. When a lookup finds no run, it looks at the directory again, and indexes the files anew
 * if their set, or their sizes, changed.
 */
public final class RetainedHeartbeats {

    private final Path directory;
    private final CompactedRuns runs;
    private volatile Index index = new Index(List.of(), Map.of());

    /** @param directory where retention exports; it may not exist (nothing was dropped, or the files were moved) */
    public RetainedHeartbeats(Path directory, CompactedRuns runs) {
        this.directory = directory;
        this.runs = runs;
    }

    /**
     * The exported heartbeats of {@code stream} with sequences from {@code firstSequence} to {@code lastSequence}, in
     * sequence order, each exactly as it was stored.
     */
    public List<StoredRow> within(String stream, long firstSequence, long lastSequence) {
        List<Located> located = runsOf(index, stream, firstSequence);
        if (located.isEmpty()) {
            // only a miss looks at the directory again: a run exported since the last look is in a new file
            located = runsOf(current(), stream, firstSequence);
        }
        TreeMap<Long, StoredRow> heartbeats = new TreeMap<>();
        for (Located run : located) {
            List<StoredRow> expanded;
            try {
                expanded = runs.expand(RetentionExport.readLine(run.file(), run.offset()).row());
            } catch (IllegalArgumentException unreadable) {
                continue;
            }
            for (StoredRow heartbeat : expanded) {
                if (heartbeat.sequence() >= firstSequence && heartbeat.sequence() <= lastSequence) {
                    heartbeats.putIfAbsent(heartbeat.sequence(), heartbeat);
                }
            }
        }
        return new ArrayList<>(heartbeats.values());
    }

    private static List<Located> runsOf(Index index, String stream, long firstSequence) {
        return index.byStream.getOrDefault(stream, List.of()).stream()
                .filter(run -> run.sequence() >= firstSequence).toList();
    }

    private Index current() {
        List<String> files = signature();
        Index known = index;
        if (known.files.equals(files)) {
            return known;
        }
        Map<String, List<Located>> byStream = new HashMap<>();
        if (!files.isEmpty()) {
            for (Path file : RetentionExport.files(directory)) {
                RetentionExport.forEachLine(file, (offset, stream, sequence) -> byStream
                        .computeIfAbsent(stream, key -> new ArrayList<>()).add(new Located(file, offset, sequence)));
            }
        }
        Index read = new Index(files, byStream);
        index = read;
        return read;
    }

    /** Each export file's name and size. */
    private List<String> signature() {
        if (directory == null || !Files.isDirectory(directory)) {
            return List.of();
        }
        List<String> files = new ArrayList<>();
        for (Path file : RetentionExport.files(directory)) {
            try {
                files.add(file.getFileName() + ":" + Files.size(file));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the retention export " + file, e);
            }
        }
        return files;
    }

    /** Where one exported run is: its file and the offset of its line. */
    private record Located(Path file, long offset, long sequence) {
    }

    private record Index(List<String> files, Map<String, List<Located>> byStream) {
    }
}
