-- migrate:up
ALTER TABLE users ADD COLUMN tenant_id bigint NOT NULL; -- expect: adding-required-field
-- Quiet: a default fills existing rows; nullable columns need none.
ALTER TABLE users ADD COLUMN plan text NOT NULL DEFAULT 'free';
ALTER TABLE users ADD COLUMN nickname text;
CREATE TABLE drafts (id int);
ALTER TABLE drafts ADD COLUMN owner bigint NOT NULL;
