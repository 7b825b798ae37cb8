-- migrate:up
CREATE TABLE comments (
    id          bigserial PRIMARY KEY,
    post_id     integer NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    author_id   bigint NOT NULL REFERENCES users (id),
    body        text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- A function with dollar quoting and semicolons inside: sent to the server as written.
CREATE FUNCTION comments_touch_post() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE posts SET updated_at = now() WHERE id = NEW.post_id;
    RETURN NEW;
END;
$$;
CREATE TRIGGER comments_touch_post AFTER INSERT ON comments
    FOR EACH ROW EXECUTE FUNCTION comments_touch_post();

-- migrate:down
DROP TABLE comments;
DROP FUNCTION comments_touch_post();
