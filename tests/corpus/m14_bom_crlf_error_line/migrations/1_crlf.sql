-- migrate:up
CREATE TABLE a (id int);
SELEC 1;
