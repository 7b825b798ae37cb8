-- A callback: runs at the end of every `dbtool migrate up` (also when nothing was pending), in
-- its own transaction, never recorded. Fresh planner statistics after the migrations and their
-- backfills; a large database would name its busy tables instead of analyzing everything.
ANALYZE;
