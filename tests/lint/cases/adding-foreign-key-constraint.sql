-- migrate:up
ALTER TABLE posts ADD CONSTRAINT posts_user_fk FOREIGN KEY (user_id) REFERENCES users (id); -- expect: adding-foreign-key-constraint
ALTER TABLE posts ADD COLUMN editor_id bigint REFERENCES users (id); -- expect: adding-foreign-key-constraint
-- Quiet: NOT VALID, then VALIDATE in a later migration; a new table.
ALTER TABLE posts ADD CONSTRAINT posts_owner_fk FOREIGN KEY (owner_id) REFERENCES users (id) NOT VALID;
CREATE TABLE likes (post_id bigint);
ALTER TABLE likes ADD CONSTRAINT likes_post_fk FOREIGN KEY (post_id) REFERENCES posts (id);
CREATE TABLE shares (post_id bigint REFERENCES posts (id));
