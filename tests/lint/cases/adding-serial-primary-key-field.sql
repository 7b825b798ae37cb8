-- migrate:up
ALTER TABLE legacy ADD PRIMARY KEY (id); -- expect: adding-serial-primary-key-field
ALTER TABLE legacy2 ADD COLUMN id bigint PRIMARY KEY; -- expect: adding-serial-primary-key-field
-- Quiet: USING INDEX; a new table.
ALTER TABLE legacy3 ADD CONSTRAINT legacy3_pkey PRIMARY KEY USING INDEX legacy3_id_idx;
CREATE TABLE drafts (id bigint);
ALTER TABLE drafts ADD PRIMARY KEY (id);
