-- migrate:up
CREATE TABLE a (id int);

CREAT TABLE b (id int);
