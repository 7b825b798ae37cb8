-- A repeatable migration: applied after the versioned ones, and again whenever this file
-- changes (or after a migration was rolled back). Written to run again: CREATE OR REPLACE.
CREATE OR REPLACE VIEW published_posts AS
SELECT p.id, p.title, p.published_at, u.email AS author_email
FROM posts p
JOIN users u ON u.id = p.author_id
WHERE p.published_at IS NOT NULL;
