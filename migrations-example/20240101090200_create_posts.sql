-- migrate:up
CREATE TABLE posts (
    id            serial PRIMARY KEY,
    author_id     bigint NOT NULL REFERENCES users (id),
    title         text NOT NULL,
    body          text NOT NULL DEFAULT '',
    tags          text[] NOT NULL DEFAULT '{}',
    published_at  timestamptz,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL
);
CREATE INDEX posts_author_id_idx ON posts (author_id);

-- migrate:down
-- CASCADE also drops the repeatable view published_posts; the next `migrate up` creates it
-- again (rolling back a migration makes every repeatable migration due).
DROP TABLE posts CASCADE;
