-- migrate:up
CREATE TABLE notifications (
    id bigserial PRIMARY KEY,
    user_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind varchar(30) NOT NULL,
    read boolean NOT NULL DEFAULT false,
    created_at timestamp without time zone NOT NULL DEFAULT now()
);
CREATE INDEX notifications_unread_idx ON notifications (user_id) WHERE NOT read;

-- migrate:down
DROP TABLE notifications;
