package dev.claimsledger.merkle;

import java.util.Arrays;
import java.util.Base64;
import java.util.regex.Pattern;

/**
 * The text of a C2SP {@code tlog-checkpoint}: the log's origin, its tree size in decimal and its root in base64, one
 * per line. Signed as a note, the signature's key name is the origin.
 */
public record Checkpoint(String origin, long size, byte[] root) {

    private static final Pattern DECIMAL = Pattern.compile("0|[1-9][0-9]{0,18}");

    public Checkpoint {
        if (!SignedNote.isValidName(origin)) {
            throw new IllegalArgumentException("a checkpoint's origin must be non-empty, without spaces or plus signs");
        }
        if (size < 0 || root == null || root.length != TreeHashes.SIZE) {
            throw new IllegalArgumentException("a checkpoint has a size of at least 0 and a 32-byte root");
        }
        root = root.clone();
    }

    public static Checkpoint of(String origin, TreeHead head) {
        return new Checkpoint(origin, head.size(), head.root());
    }

    public TreeHead head() {
        return new TreeHead(size, root);
    }

    /** The note text: {@code origin\nsize\nbase64(root)\n}. */
    public String text() {
        return origin + "\n" + size + "\n" + Base64.getEncoder().encodeToString(root) + "\n";
    }

    /**
     * Reads a checkpoint's note text; lines after the third (extensions) are allowed and ignored.
     *
     * @throws IllegalArgumentException when the text is not a checkpoint
     */
    public static Checkpoint parse(String text) {
        if (!text.endsWith("\n")) {
            throw new IllegalArgumentException("a checkpoint's text ends with a newline");
        }
        String[] lines = text.substring(0, text.length() - 1).split("\n", -1);
        if (lines.length < 3 || Arrays.stream(lines).anyMatch(String::isEmpty)) {
            throw new IllegalArgumentException("a checkpoint has at least three non-empty lines: origin, size, root");
        }
        if (!DECIMAL.matcher(lines[1]).matches()) {
            throw new IllegalArgumentException("a checkpoint's size is a decimal number without leading zeros, was '"
                    + lines[1] + "'");
        }
        byte[] root;
        try {
            root = Base64.getDecoder().decode(lines[2]);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("a checkpoint's root is base64", e);
        }
        if (root.length != TreeHashes.SIZE || !Base64.getEncoder().encodeToString(root).equals(lines[2])) {
            throw new IllegalArgumentException("a checkpoint's root is the base64 of 32 bytes");
        }
        try {
            return new Checkpoint(lines[0], Long.parseLong(lines[1]), root);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("a checkpoint's size is too large", e);
        }
    }

    /**
     * The checkpoint a signed note carries, once its signature by {@code verifier}'s key verifies and its origin is
     * that key's name.
     *
     * @throws IllegalArgumentException otherwise, saying why
     */
    public static Checkpoint open(String note, NoteVerifier verifier) {
        Checkpoint checkpoint = parse(verifier.open(note));
        if (!checkpoint.origin().equals(verifier.name())) {
            throw new IllegalArgumentException("the checkpoint's origin '" + checkpoint.origin()
                    + "' is not the name of the key " + verifier.describe());
        }
        return checkpoint;
    }

    @Override
    public byte[] root() {
        return root.clone();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Checkpoint checkpoint && checkpoint.text().equals(text());
    }

    @Override
    public int hashCode() {
        return text().hashCode();
    }

    @Override
    public String toString() {
        return text().replace('\n', ' ').trim();
    }
}
