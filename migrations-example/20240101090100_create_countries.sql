-- Reference data, loaded from a CSV seed.
-- migrate:up
CREATE TABLE countries (
    code  char(2) PRIMARY KEY,
    name  text NOT NULL UNIQUE
);

-- migrate:down
DROP TABLE countries;
