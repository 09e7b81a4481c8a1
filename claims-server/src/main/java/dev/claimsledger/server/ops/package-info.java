/**
 * The operator's page at {@code /ops/}: static files in the jar ({@code static/ops/}), served with a strict
 * Content-Security-Policy. The page holds no data; every call it makes presents the operator's API key.
 */
package dev.claimsledger.server.ops;
