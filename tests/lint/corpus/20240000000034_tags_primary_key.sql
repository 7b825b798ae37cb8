-- migrate:up
ALTER TABLE tags ADD PRIMARY KEY (id);

-- migrate:down
ALTER TABLE tags DROP CONSTRAINT tags_pkey;
