-- migrate:down
DROP TABLE x;
