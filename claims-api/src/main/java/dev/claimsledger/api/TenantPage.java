package dev.claimsledger.api;

import java.util.List;

/**
 * One page of tenant ids, and the cursor of the next page (null on the last page).
 */
public record TenantPage(List<String> tenants, String nextCursor) {

    public TenantPage {
        tenants = List.copyOf(tenants);
    }
}
