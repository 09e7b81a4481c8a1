/**
 * The claims ledger's messages. A claim is identified by {@code (tenant_id, consumer_id, epoch)}; all epochs of one
 * consumer form one event stream, named by {@link dev.claimsledger.api.ConsumerRef#streamId()}.
 */
package dev.claimsledger.api;
