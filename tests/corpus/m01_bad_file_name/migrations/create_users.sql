-- migrate:up
CREATE TABLE ok_table (id int);
-- migrate:down
DROP TABLE ok_table;
