-- migrate:up
ALTER TABLE orders ADD CONSTRAINT positive_total CHECK (total >= 0); -- expect: constraint-missing-not-valid
ALTER TABLE orders ADD CONSTRAINT positive_qty CHECK (qty > 0) NOT VALID;
ALTER TABLE orders VALIDATE CONSTRAINT positive_qty; -- expect: constraint-missing-not-valid
-- Quiet: validating a constraint an earlier migration added; a new table.
ALTER TABLE orders VALIDATE CONSTRAINT added_last_week;
CREATE TABLE drafts (n int);
ALTER TABLE drafts ADD CONSTRAINT n_positive CHECK (n > 0);
