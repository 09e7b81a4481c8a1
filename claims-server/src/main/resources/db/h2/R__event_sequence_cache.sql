-- H2 only (EmbeddedDatabaseMigrations). H2 hands out global_index values from a cache, and takes each next range of it
-- in a transaction of its own; with WRITE_DELAY=0 every commit writes the store's changed pages to the file. With H2's
-- cache of 32, a group of 1,000 heartbeats wrote them 31 more times than its own commit; 4,096 covers
-- the largest group (2,000 heartbeats and 1,000 expiries). Nothing acknowledged depends on it: a crash skips the rest
-- of the range taken, as a rolled-back group skips the values it took, and the event processors wait for a gap.
ALTER TABLE domain_event_entry ALTER COLUMN global_index SET CACHE 4096;
