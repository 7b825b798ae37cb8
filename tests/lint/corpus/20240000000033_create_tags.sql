-- migrate:up
CREATE TABLE tags (id serial, name varchar(50) NOT NULL);

-- migrate:down
DROP TABLE tags;
