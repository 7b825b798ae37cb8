-- CREATE INDEX CONCURRENTLY cannot run inside a transaction, so this migration opts out.
-- Each statement then commits on its own; IF NOT EXISTS makes a retry after a failure safe.
-- migrate:up transaction:false
CREATE INDEX CONCURRENTLY IF NOT EXISTS comments_post_id_idx ON comments (post_id);

-- migrate:down transaction:false
DROP INDEX CONCURRENTLY IF EXISTS comments_post_id_idx;
