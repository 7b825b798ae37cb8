-- migrate:up
BEGIN; -- expect: transaction-nesting
CREATE TABLE drafts (id int);
COMMIT; -- expect: transaction-nesting
