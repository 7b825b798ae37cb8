-- migrate:up transaction:false
-- Quiet: a transaction:false migration manages its own transactions.
BEGIN;
CREATE TABLE drafts (id int);
COMMIT;
