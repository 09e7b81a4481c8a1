package dev.claimsledger.api;

import java.util.List;

/**
 * One page of claims, and the cursor of the next page (null on the last page).
 */
public record ClaimPage(List<ClaimState> claims, String nextCursor) {

    public ClaimPage {
        claims = List.copyOf(claims);
    }
}
