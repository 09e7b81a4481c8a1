package dev.claimsledger.server.ledger;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.claimsledger.api.ClaimErrorCode;
import dev.claimsledger.core.ClaimRejectedException;
import dev.claimsledger.merkle.Checkpoints;
import dev.claimsledger.merkle.InclusionProof;
import dev.claimsledger.merkle.LogIntegrityException;
import dev.claimsledger.merkle.MerkleLog;
import dev.claimsledger.merkle.ProofRequestException;
import dev.claimsledger.server.http.OpenApiConfiguration;
import dev.claimsledger.server.http.ProblemCodes;
import dev.claimsledger.server.http.ProblemWriter;
import dev.claimsledger.server.security.ApiKey;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.Base64;
import java.util.List;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The Merkle log for auditors (scope {@code claims:audit}, a key for every tenant): its latest signed checkpoint, the
 * key that verifies it, and RFC 9162 proofs, so that any RFC 9162 verifier can check the ledger without trusting it.
 */
@RestController
@RequestMapping("/v1/admin/ledger")
@Tag(name = "ledger", description = "Verifiable checkpoints of the Merkle log over every event (README, Verifiable "
        + "checkpoints)")
class LedgerProofController {

    private static final Logger log = LoggerFactory.getLogger(LedgerProofController.class);
    private static final Pattern DECIMAL = Pattern.compile("0|[1-9][0-9]{0,17}");

    private final MerkleLog merkleLog;
    private final Checkpoints checkpoints;
    private final LedgerCheckpoints ledgerCheckpoints;

    LedgerProofController(MerkleLog merkleLog, Checkpoints checkpoints, LedgerCheckpoints ledgerCheckpoints) {
        this.merkleLog = merkleLog;
        this.checkpoints = checkpoints;
        this.ledgerCheckpoints = ledgerCheckpoints;
    }

    @GetMapping(path = "/checkpoint", produces = MediaType.TEXT_PLAIN_VALUE)
    @Operation(operationId = "getLedgerCheckpoint", summary = "The latest signed checkpoint",
            description = "A C2SP tlog-checkpoint signed note: origin, tree size, base64 root, a blank line and an "
                    + "Ed25519 signature line. Save it; verify the ledger against it later. `not_found` until the "
                    + "first checkpoint is signed.",
            security = @SecurityRequirement(name = OpenApiConfiguration.API_KEY, scopes = ApiKey.AUDIT))
    @ApiResponse(responseCode = "200", description = "The signed note",
            content = @Content(mediaType = MediaType.TEXT_PLAIN_VALUE, schema = @Schema(type = "string")))
    @ProblemCodes({ClaimErrorCode.NOT_FOUND, ClaimErrorCode.UNAVAILABLE})
    String checkpoint() {
        return checkpoints.latest().orElseThrow(() -> new ClaimRejectedException(ClaimErrorCode.NOT_FOUND,
                "no checkpoint has been signed yet; one is signed within claims.checkpoints.interval of start-up"));
    }

    @GetMapping(path = "/public-key", produces = MediaType.TEXT_PLAIN_VALUE)
    @Operation(operationId = "getLedgerPublicKey", summary = "The verifier key of the checkpoints",
            description = "<name>+<key ID in hex>+<base64 of 0x01 and the 32-byte Ed25519 public key>. Obtain it "
                    + "once, from a channel you trust, and keep it: never trust a key sent with a checkpoint.",
            security = @SecurityRequirement(name = OpenApiConfiguration.API_KEY, scopes = ApiKey.AUDIT))
    @ApiResponse(responseCode = "200", description = "The verifier key, one line",
            content = @Content(mediaType = MediaType.TEXT_PLAIN_VALUE, schema = @Schema(type = "string")))
    String publicKey() {
        return ledgerCheckpoints.verifierKey() + "\n";
    }

    @GetMapping(path = "/proofs/consistency", produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "getLedgerConsistencyProof", summary = "An RFC 9162 consistency proof",
            description = "Proves that the tree of `to` leaves extends the tree of `from` leaves. A `from` or `to` "
                    + "that is missing, malformed or out of range is `validation_failed`.",
            security = @SecurityRequirement(name = OpenApiConfiguration.API_KEY, scopes = ApiKey.AUDIT))
    @ApiResponse(responseCode = "200", description = "The proof, hashes in standard base64",
            useReturnTypeSchema = true)
    @ProblemCodes(ClaimErrorCode.UNAVAILABLE)
    ConsistencyJson consistency(
            @Parameter(description = "The smaller tree size, at least 1",
                    schema = @Schema(type = "integer", format = "int64", minimum = "1")) @RequestParam("from") String fromText,
            @Parameter(description = "The larger tree size, at most the log's",
                    schema = @Schema(type = "integer", format = "int64", minimum = "1")) @RequestParam("to") String toText) {
        long from = number("from", fromText);
        long to = number("to", toText);
        return new ConsistencyJson(from, to, base64(merkleLog.consistencyProof(from, to)));
    }

    @GetMapping(path = "/proofs/inclusion", produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "getLedgerInclusionProof", summary = "An RFC 9162 inclusion proof of one event",
            description = "Proves that the event at a global position is a leaf of the tree of `size` leaves; "
                    + "`leaf` is the leaf's encoding (README, The leaf encoding), whose hash is SHA-256(0x00 || leaf). "
                    + "A `position` or `size` that is missing, malformed or out of range is `validation_failed`; a "
                    + "position no leaf holds, or not yet, is `not_found`.",
            security = @SecurityRequirement(name = OpenApiConfiguration.API_KEY, scopes = ApiKey.AUDIT))
    @ApiResponse(responseCode = "200", description = "The proof, the leaf and the hashes in standard base64",
            useReturnTypeSchema = true)
    @ProblemCodes({ClaimErrorCode.NOT_FOUND, ClaimErrorCode.UNAVAILABLE})
    InclusionJson inclusion(
            @Parameter(description = "The event's global position",
                    schema = @Schema(type = "integer", format = "int64", minimum = "0")) @RequestParam("position") String positionText,
            @Parameter(description = "The tree size, at most the log's",
                    schema = @Schema(type = "integer", format = "int64", minimum = "1")) @RequestParam("size") String sizeText) {
        long position = number("position", positionText);
        long size = number("size", sizeText);
        InclusionProof proof = merkleLog.inclusionProof(position, size);
        return new InclusionJson(proof.position(), proof.leafIndex(), proof.treeSize(),
                Base64.getEncoder().encodeToString(proof.leaf()), base64(proof.hashes()));
    }

    @ExceptionHandler(ProofRequestException.class)
    ResponseEntity<Object> refused(ProofRequestException refusal) {
        boolean notFound = refusal.problem() == ProofRequestException.Problem.NOT_FOUND;
        HttpStatus status = notFound ? HttpStatus.NOT_FOUND : HttpStatus.BAD_REQUEST;
        return ResponseEntity.status(status).contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .body(ProblemWriter.problem(status, notFound ? ClaimErrorCode.NOT_FOUND
                        : ClaimErrorCode.VALIDATION_FAILED, refusal.getMessage()));
    }

    /** The stored log and the stored events disagree: no proof is served that would not verify. */
    @ExceptionHandler(LogIntegrityException.class)
    ResponseEntity<Object> notIntact(LogIntegrityException failure) {
        log.error("the Merkle log and the event store disagree: {}", failure.getMessage());
        return ResponseEntity.status(HttpStatus.INTERNAL_SERVER_ERROR).contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .body(ProblemWriter.problem(HttpStatus.INTERNAL_SERVER_ERROR, ClaimErrorCode.INTERNAL_ERROR,
                        "the ledger is not intact: " + failure.getMessage() + "; run the verify command"));
    }

    private static long number(String name, String text) {
        if (!DECIMAL.matcher(text).matches()) {
            throw new ClaimRejectedException(ClaimErrorCode.VALIDATION_FAILED, name + " must be a non-negative "
                    + "decimal integer, was '" + (text.length() > 40 ? text.substring(0, 40) + "..." : text) + "'");
        }
        return Long.parseLong(text);
    }

    private static List<String> base64(List<byte[]> hashes) {
        return hashes.stream().map(Base64.getEncoder()::encodeToString).toList();
    }

    @Schema(name = "ConsistencyProof")
    record ConsistencyJson(@JsonProperty("from") long from,
                           @JsonProperty("to") long to,
                           @ArraySchema(schema = @Schema(format = "byte")) @JsonProperty("hashes") List<String> hashes) {
    }

    @Schema(name = "InclusionProof")
    record InclusionJson(@JsonProperty("position") long position,
                         @JsonProperty("leaf_index") long leafIndex,
                         @JsonProperty("tree_size") long treeSize,
                         @Schema(format = "byte") @JsonProperty("leaf") String leaf,
                         @ArraySchema(schema = @Schema(format = "byte")) @JsonProperty("hashes") List<String> hashes) {
    }
}
