package dev.claimsledger.server.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.claimsledger.server.support.LedgerHttp;
import dev.claimsledger.server.support.LedgerHttp.Reply;
import java.util.ArrayList;
import java.util.List;

/**
 * What a running ledger shows of claims, read over its HTTP API as any caller would, from the read model: one claim,
 * or every claim of a tenant.
 */
public final class LedgerClaims {

    private final LedgerHttp http;

    public LedgerClaims(String baseUrl) {
        this.http = new LedgerHttp(baseUrl);
    }

    public JsonNode claim(String tenant, String consumer, long epoch) {
        Reply reply = http.get(LedgerHttp.claim(tenant, consumer, epoch));
        assertThat(reply.status()).as("GET claim %s/%s epoch %d: %s", tenant, consumer, epoch, reply).isEqualTo(200);
        return reply.json();
    }

    /** Every claim of the tenant (with the status, when it is not null), 500 to a page. */
    public List<JsonNode> all(String tenant, String status) {
        List<JsonNode> claims = new ArrayList<>();
        String cursor = null;
        do {
            Reply page = http.get(LedgerHttp.withQuery(LedgerHttp.claims(tenant), "status", status, "limit", 500,
                    "cursor", cursor));
            assertThat(page.status()).as("%s", page).isEqualTo(200);
            page.json().path("claims").forEach(claims::add);
            cursor = page.text("next_cursor");
        } while (cursor != null);
        return claims;
    }
}
