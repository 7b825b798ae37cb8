-- migrate:up transaction:false
-- Quiet: without a transaction, the ADD's lock is released before VALIDATE starts.
ALTER TABLE orders ADD CONSTRAINT positive_qty CHECK (qty > 0) NOT VALID;
ALTER TABLE orders VALIDATE CONSTRAINT positive_qty;
