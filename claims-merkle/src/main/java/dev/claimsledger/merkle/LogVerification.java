package dev.claimsledger.merkle;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The auditor's check of the stored ledger against a checkpoint they saved (whose signature they checked with a key
 * they trust):
 * <ol>
 * <li>every leaf is recomputed from its stored event (through the {@link LeafSource}) and compared with the stored
 *     log: a leaf whose event is missing is named, a tile whose events no longer hash to its stored root is named by
 *     its leaves, a leaf of the hot tile by itself;</li>
 * <li>the recomputed first leaves must hash to the checkpoint's root, and an RFC 9162 consistency proof from the
 *     stored log must show it extends the checkpoint: so a log whose Merkle rows were recomputed to match rewritten
 *     events is caught too;</li>
 * <li>every stored event old enough to be in the log must be a leaf: an event added behind the log's back is named.</li>
 * </ol>
 * It only reads.
 */
public final class LogVerification {

    private static final long PROGRESS_EVERY = 100_000;
    private static final int MAX_FINDINGS = 1_000;

    private final LogStore store;
    private final LeafSource leaves;

    public LogVerification(JdbcTemplate jdbc, LeafSource leaves) {
        this.store = new LogStore(jdbc);
        this.leaves = leaves;
    }

    public VerificationReport verify(Checkpoint saved, Consumer<String> progress) {
        LogStore.StoredHead head = store.readHead();
        StoredTree tree = new StoredTree(store, leaves, head);
        long size = head.size();
        long savedSize = saved.size();
        Findings findings = new Findings();
        if (size < savedSize) {
            findings.add("leaves " + size + ".." + (savedSize - 1), "gone: the log holds " + size
                    + " leaves, fewer than the checkpoint's " + savedSize);
        }

        PositionSet inLog = new PositionSet();
        Recomputation recomputed = new Recomputation(savedSize);
        long checked = 0;
        for (long tile = 0; tile < head.completeTiles(); ) {
            List<LogStore.StoredTile> page = store.tiles(tile, head.completeTiles());
            if (page.isEmpty() || page.get(0).index() != tile) {
                findings.add("tile " + tile, "its row is missing from merkle_tile");
                break;
            }
            for (LogStore.StoredTile stored : page) {
                TileLeaves tileLeaves = TileLeaves.read(stored.index(), stored.positions(), leaves);
                checkTile(stored, tileLeaves, findings, recomputed);
                for (long position : stored.positions()) {
                    inLog.add(position);
                }
                checked += tileLeaves.count();
                if (checked % PROGRESS_EVERY < Tiles.WIDTH) {
                    progress.accept(checked + " of " + size + " leaves recomputed");
                }
            }
            tile = page.get(page.size() - 1).index() + 1;
        }
        TileLeaves hot = TileLeaves.read(head.completeTiles(), head.hotPositions(), leaves);
        for (int i = 0; i < hot.count(); i++) {
            long leaf = hot.firstLeaf() + i;
            if (hot.hash(i) == null) {
                findings.leaf("the event is missing", leaf, hot.position(i));
            } else if (!MessageDigest.isEqual(hot.hash(i), head.hotHashes().get(i))) {
                findings.leaf("the event no longer hashes to the log's leaf", leaf, hot.position(i));
            }
            recomputed.append(hot.hash(i), findings.count() == 0);
            inLog.add(hot.position(i));
        }
        checked += hot.count();
        findings.close();

        if (size >= savedSize && recomputed.prefixRoot() != null
                && !MessageDigest.isEqual(recomputed.prefixRoot(), saved.root())) {
            findings.add(savedSize == 0 ? "the checkpoint" : "leaves 0.." + (savedSize - 1),
                    "the events no longer hash to the saved checkpoint's root");
        }
        boolean extendsCheckpoint = size >= savedSize && extendsCheckpoint(tree, saved, findings);

        long[] notYetInLog = {0};
        leaves.forEachPosition(position -> {
            if (!inLog.contains(position)) {
                if (position < head.settledPosition()) {
                    findings.event(position);
                } else {
                    notYetInLog[0]++;
                }
            }
        });
        findings.close();
        return new VerificationReport(saved, size, checked, extendsCheckpoint, findings.list(), notYetInLog[0]);
    }

    private static void checkTile(LogStore.StoredTile stored, TileLeaves tileLeaves, Findings findings,
                                  Recomputation recomputed) {
        boolean clean = findings.count() == 0;
        if (!tileLeaves.complete()) {
            for (int i = 0; i < tileLeaves.count(); i++) {
                if (tileLeaves.hash(i) == null) {
                    findings.leaf("the event is missing", tileLeaves.firstLeaf() + i, tileLeaves.position(i));
                }
            }
        } else if (!MessageDigest.isEqual(tileLeaves.tree().root(), stored.root())) {
            findings.leaves("the events no longer hash to the log's stored tile", tileLeaves.firstLeaf(),
                    stored.positions());
        }
        for (int i = 0; i < tileLeaves.count(); i++) {
            recomputed.append(tileLeaves.hash(i), clean && findings.count() == 0);
        }
    }

    private static boolean extendsCheckpoint(StoredTree tree, Checkpoint saved, Findings findings) {
        long savedSize = saved.size();
        if (savedSize == 0) {
            boolean empty = MessageDigest.isEqual(saved.root(), TreeHashes.emptyRoot());
            if (!empty) {
                findings.add("the checkpoint", "its size is 0 but its root is not the empty tree's");
            }
            return empty;
        }
        String where = "leaves 0.." + (savedSize - 1);
        try {
            List<byte[]> proof = MerkleProofs.consistencyProof(tree, savedSize, tree.size());
            if (ProofVerification.consistency(savedSize, tree.size(), saved.root(), tree.head().root(), proof)) {
                return true;
            }
            findings.add(where, "the log does not extend the saved checkpoint: the consistency proof from "
                    + savedSize + " to " + tree.size() + " leaves fails against the checkpoint's root");
        } catch (LogIntegrityException e) {
            findings.add(where, "no consistency proof from " + savedSize + " to " + tree.size() + " leaves can be made: "
                    + e.getMessage());
        }
        return false;
    }

    /** The tree of the recomputed leaves, up to the checkpoint's size, while every leaf so far agrees. */
    private static final class Recomputation {

        private final long savedSize;
        private final CompactRange range = new CompactRange();
        private byte[] prefixRoot;
        private boolean broken;

        Recomputation(long savedSize) {
            this.savedSize = savedSize;
            this.prefixRoot = savedSize == 0 ? TreeHashes.emptyRoot() : null;
        }

        /** @param agrees whether every leaf so far matched the stored log */
        void append(byte[] leafHash, boolean agrees) {
            if (broken || range.size() >= savedSize) {
                return;
            }
            if (leafHash == null || !agrees) {
                broken = true;
                return;
            }
            range.append(leafHash);
            if (range.size() == savedSize) {
                prefixRoot = range.root();
            }
        }

        /** The root of the recomputed first leaves, or null when a leaf among them is missing or disagrees. */
        byte[] prefixRoot() {
            return prefixRoot;
        }
    }

    /** Findings, with runs of neighbouring leaves (or positions) of the same kind merged into one. */
    private static final class Findings {

        private final List<VerificationReport.Finding> list = new ArrayList<>();
        private int dropped;
        private String kind;
        private long first;
        private long last;
        private long lowestPosition;
        private long highestPosition;
        private boolean positionsOnly;

        void leaf(String what, long leaf, long position) {
            if (what.equals(kind) && !positionsOnly && leaf == last + 1) {
                last = leaf;
                lowestPosition = Math.min(lowestPosition, position);
                highestPosition = Math.max(highestPosition, position);
                return;
            }
            close();
            open(what, leaf, position, false);
        }

        void leaves(String what, long firstLeaf, long[] positions) {
            for (int i = 0; i < positions.length; i++) {
                leaf(what, firstLeaf + i, positions[i]);
            }
        }

        void event(long position) {
            String what = "stored but not in the log: an event added behind the log's back, or one its writer never"
                    + " saw";
            if (what.equals(kind) && positionsOnly && position == last + 1) {
                last = position;
                return;
            }
            close();
            open(what, position, position, true);
        }

        void add(String where, String what) {
            close();
            record(new VerificationReport.Finding(where, what));
        }

        int count() {
            return list.size() + dropped + (kind == null ? 0 : 1);
        }

        void close() {
            if (kind == null) {
                return;
            }
            String where;
            if (positionsOnly) {
                where = first == last ? "the event at position " + first : "the events at positions " + first + ".."
                        + last;
            } else {
                where = first == last ? "leaf " + first + " (position " + lowestPosition + ")"
                        : "leaves " + first + ".." + last + " (positions " + lowestPosition + ".." + highestPosition + ")";
            }
            record(new VerificationReport.Finding(where, kind));
            kind = null;
        }

        List<VerificationReport.Finding> list() {
            close();
            if (dropped > 0) {
                List<VerificationReport.Finding> all = new ArrayList<>(list);
                all.add(new VerificationReport.Finding("and " + dropped + " more", "findings not listed"));
                return all;
            }
            return list;
        }

        private void open(String what, long from, long position, boolean positions) {
            kind = what;
            first = from;
            last = from;
            lowestPosition = position;
            highestPosition = position;
            positionsOnly = positions;
        }

        private void record(VerificationReport.Finding finding) {
            if (list.size() < MAX_FINDINGS) {
                list.add(finding);
            } else {
                dropped++;
            }
        }
    }
}
