-- migrate:up
CREATE TABLE a (id int);
COMMIT;
