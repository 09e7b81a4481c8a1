-- The lease watchdogs moved from db-scheduler's table to lease_deadlines (V5, filled from the events by V6): a release
-- cancelled its watchdog by reading every pending row of scheduled_tasks, and expiries ran one task at a time. Stop
-- every node of an earlier version before starting this one.
DROP TABLE scheduled_tasks;
