package dev.claimsledger.compaction;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The files retention writes before it drops heartbeat detail: one JSON object a line, each a compacted run exactly as
 * it was stored (its row's columns, payload and metadata in base64), from which every heartbeat it held is given back
 * byte for byte ({@link CompactedRuns#expand}). A file is written and flushed to disk before the detail it holds leaves
 * the database, so a retention killed in between leaves the detail in both places, never in neither.
 */
public final class RetentionExport implements AutoCloseable {

    /** The name every export file starts with; they end in {@code .jsonl}. */
    public static final String PREFIX = "heartbeats-";
    private static final ObjectMapper LINES = new ObjectMapper();
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSSSSS'Z'")
            .withZone(ZoneOffset.UTC);

    private final Path directory;
    private final Instant startedAt;
    private FileChannel file;
    private Path path;

    /** An export of one retention pass into {@code directory}; its file is created with its first run. */
    public RetentionExport(Path directory, Instant startedAt) {
        this.directory = directory;
        this.startedAt = startedAt;
    }

    /** One exported run: the row of {@code domain_event_entry} as it was stored. */
    public record Line(@JsonProperty("stream") String stream, @JsonProperty("sequence") long sequence,
                       @JsonProperty("position") long position,
                       @JsonProperty("event_identifier") String eventIdentifier,
                       @JsonProperty("aggregate_type") String aggregateType,
                       @JsonProperty("time_stamp") String timeStamp,
                       @JsonProperty("payload_type") String payloadType,
                       @JsonProperty("payload") byte[] payload, @JsonProperty("meta_data") byte[] metaData) {

        static Line of(StoredRow row) {
            return new Line(row.streamId(), row.sequence(), row.position(), row.eventIdentifier(), row.aggregateType(),
                    row.timeStamp(), row.payloadType(), row.payload(), row.metaData());
        }

        public StoredRow row() {
            return new StoredRow(position, eventIdentifier, stream, sequence, aggregateType, timeStamp, payloadType,
                    payload, metaData);
        }
    }

    /** Appends the runs and forces them to disk: once this returns, they survive a crash. */
    public void append(List<StoredRow> runs) {
        if (runs.isEmpty()) {
            return;
        }
        StringBuilder text = new StringBuilder();
        for (StoredRow run : runs) {
            try {
                text.append(LINES.writeValueAsString(Line.of(run))).append('\n');
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("cannot export the run at position " + run.position(), e);
            }
        }
        try {
            if (file == null) {
                Files.createDirectories(directory);
                path = directory.resolve(PREFIX + STAMP.format(startedAt) + ".jsonl");
                file = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                        StandardOpenOption.APPEND);
            }
            ByteBuffer bytes = ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.UTF_8));
            while (bytes.hasRemaining()) {
                file.write(bytes);
            }
            file.force(true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the retention export in " + directory, e);
        }
    }

    /** The file written, or null when nothing was exported. */
    public Path path() {
        return path;
    }

    @Override
    public void close() {
        if (file != null) {
            try {
                file.close();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot close the retention export " + path, e);
            }
        }
    }

    /** The export files of {@code fileOrDirectory}: the file itself, or every export file in the directory. */
    public static List<Path> files(Path fileOrDirectory) {
        if (!Files.isDirectory(fileOrDirectory)) {
            return List.of(fileOrDirectory);
        }
        try (Stream<Path> entries = Files.list(fileOrDirectory)) {
            return entries.filter(entry -> entry.getFileName().toString().startsWith(PREFIX)
                    && entry.getFileName().toString().endsWith(".jsonl")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the retention exports in " + fileOrDirectory, e);
        }
    }

    /** Told where each run of a file is: the offset of its line, its stream and its last sequence. */
    @FunctionalInterface
    public interface LineVisitor {
        void line(long offset, String stream, long sequence);
    }

    /**
     * Visits every run of one export file, without keeping the runs.
     *
     * @throws IllegalArgumentException naming the file and offset of a line that is not an exported run
     */
    public static void forEachLine(Path file, LineVisitor visitor) {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            long offset = 0;
            long start = 0;
            int next;
            while ((next = in.read()) >= 0) {
                offset++;
                if (next != '\n') {
                    line.write(next);
                    continue;
                }
                visit(file, start, line.toByteArray(), visitor);
                line.reset();
                start = offset;
            }
            visit(file, start, line.toByteArray(), visitor);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the retention export " + file, e);
        }
    }

    private static void visit(Path file, long offset, byte[] line, LineVisitor visitor) {
        if (new String(line, StandardCharsets.UTF_8).isBlank()) {
            return;
        }
        try {
            JsonNode run = LINES.readTree(line);
            visitor.line(offset, run.path("stream").asText(), run.path("sequence").asLong());
        } catch (IOException e) {
            throw new IllegalArgumentException(file + " at byte " + offset + " holds no exported run", e);
        }
    }

    /** The run whose line starts at {@code offset} of {@code file}. */
    public static Line readLine(Path file, long offset) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            channel.position(offset);
            BufferedReader reader = new BufferedReader(Channels.newReader(channel, StandardCharsets.UTF_8));
            return LINES.readValue(reader.readLine(), Line.class);
        } catch (IOException e) {
            throw new IllegalArgumentException(file + " at byte " + offset + " holds no exported run", e);
        }
    }

    /**
     * Every run exported in {@code fileOrDirectory}, in file order.
     *
     * @throws IllegalArgumentException naming the file and line that is not an exported run
     */
    public static List<Line> read(Path fileOrDirectory) {
        List<Line> lines = new ArrayList<>();
        for (Path path : files(fileOrDirectory)) {
            try (BufferedReader reader = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
                String text;
                int number = 0;
                while ((text = reader.readLine()) != null) {
                    number++;
                    if (text.isBlank()) {
                        continue;
                    }
                    try {
                        lines.add(LINES.readValue(text, Line.class));
                    } catch (JsonProcessingException e) {
                        throw new IllegalArgumentException(path + " line " + number + " is not an exported run: "
                                + e.getOriginalMessage(), e);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the retention export " + path, e);
            }
        }
        return lines;
    }
}
