package dev.claimsledger.server.http;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.claimsledger.api.FindTenants;
import dev.claimsledger.api.TenantPage;
import dev.claimsledger.projection.IdCursor;
import dev.claimsledger.server.security.ApiKey;
import dev.claimsledger.api.ClaimErrorCode;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.enums.ParameterIn;
import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import org.axonframework.messaging.responsetypes.ResponseTypes;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * What the presented API key may do and see, so that a client (the operator's page) shows only what it may use. In
 * open mode (no keys file) the caller may do everything.
 */
@RestController
@Tag(name = "caller", description = "What the presented API key may do and see")
class CallerController {

    static final int DEFAULT_PAGE_SIZE = 100;
    static final int MAX_PAGE_SIZE = 500;

    private final LedgerGateway ledger;

    CallerController(LedgerGateway ledger) {
        this.ledger = ledger;
    }

    @GetMapping(path = "/v1/whoami", produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "whoAmI", summary = "Describe the presented API key",
            description = "Its name, scopes and tenants (`*` for all); any known key may ask. In open mode (no keys "
                    + "file) `open` is true, the name null, and every scope and tenant allowed.",
            security = @SecurityRequirement(name = OpenApiConfiguration.API_KEY))
    @ApiResponse(responseCode = "200", description = "The key's name, scopes and tenants", useReturnTypeSchema = true)
    WhoAmIJson whoAmI(HttpServletRequest request) {
        return caller(request)
                .map(key -> new WhoAmIJson(key.name(), List.copyOf(new TreeSet<>(key.scopes())),
                        List.copyOf(new TreeSet<>(key.tenants())), false))
                .orElseGet(() -> new WhoAmIJson(null, List.copyOf(new TreeSet<>(ApiKey.SCOPES)), List.of("*"), true));
    }

    @GetMapping(path = "/v1/tenants", produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "listTenants", summary = "List the tenants the presented key may read",
            description = "A page of tenant ids in order: the key's own tenants, or, for a key of every tenant "
                    + "(`*`), the tenants that have claims; follow `next_cursor` for the next page.",
            security = @SecurityRequirement(name = OpenApiConfiguration.API_KEY, scopes = ApiKey.READ))
    @Parameter(name = "limit", in = ParameterIn.QUERY, description = "How many tenants a page holds",
            schema = @Schema(type = "integer", format = "int32", minimum = "1", maximum = "" + MAX_PAGE_SIZE,
                    defaultValue = "" + DEFAULT_PAGE_SIZE))
    @Parameter(name = "cursor", in = ParameterIn.QUERY, description = "The `next_cursor` of the previous page",
            schema = @Schema(type = "string"))
    @ApiResponse(responseCode = "200", description = "A page of tenant ids", useReturnTypeSchema = true)
    @ProblemCodes(ClaimErrorCode.UNAVAILABLE)
    TenantPageJson tenants(HttpServletRequest request,
                           @RequestParam(required = false) String limit,
                           @RequestParam(required = false) String cursor) {
        int pageSize = PathNumbers.limit(limit, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
        String after = cursor == null ? null : ClaimsController.idCursor(cursor).id();
        Optional<ApiKey> key = caller(request);
        if (key.isPresent() && !key.get().tenants().contains("*")) {
            return ownTenants(new TreeSet<>(key.get().tenants()), after, pageSize);
        }
        TenantPage page = ledger.query(new FindTenants(pageSize, cursor), ResponseTypes.instanceOf(TenantPage.class));
        return new TenantPageJson(page.tenants(), page.nextCursor());
    }

    private static TenantPageJson ownTenants(TreeSet<String> tenants, String after, int pageSize) {
        List<String> rest = List.copyOf(after == null ? tenants : tenants.tailSet(after, false));
        if (rest.size() <= pageSize) {
            return new TenantPageJson(rest, null);
        }
        List<String> page = rest.subList(0, pageSize);
        return new TenantPageJson(page, new IdCursor(page.get(page.size() - 1)).encode());
    }

    private static Optional<ApiKey> caller(HttpServletRequest request) {
        return Optional.ofNullable((ApiKey) request.getAttribute(ApiKey.REQUEST_ATTRIBUTE));
    }

    /**
     * @param open true when the service runs without API keys
     */
    @Schema(name = "WhoAmI")
    record WhoAmIJson(@Schema(nullable = true, description = "The key's name in the keys file; null in open mode")
                      @JsonProperty("name") String name,
                      @ArraySchema(schema = @Schema(allowableValues = {ApiKey.READ, ApiKey.WRITE, ApiKey.AUDIT,
                              ApiKey.ADMIN})) @JsonProperty("scopes") List<String> scopes,
                      @ArraySchema(schema = @Schema(description = "A tenant id, or `*` for every tenant"))
                      @JsonProperty("tenants") List<String> tenants,
                      @Schema(description = "True when the ledger runs without API keys") @JsonProperty("open")
                      boolean open) {
    }

    @Schema(name = "TenantPage")
    record TenantPageJson(@JsonProperty("tenants") List<String> tenants,
                          @Schema(nullable = true, description = "The cursor of the next page; null on the last page")
                          @JsonProperty("next_cursor") String nextCursor) {
    }
}
