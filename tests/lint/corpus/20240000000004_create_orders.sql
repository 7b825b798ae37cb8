-- migrate:up
CREATE TABLE orders (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id bigint NOT NULL REFERENCES accounts (id),
    user_id integer REFERENCES users (id) ON DELETE SET NULL,
    status text NOT NULL DEFAULT 'pending',
    total_cents bigint NOT NULL DEFAULT 0,
    placed_at timestamptz
);
CREATE INDEX orders_account_id_idx ON orders (account_id);
CREATE INDEX orders_user_id_idx ON orders (user_id);

-- migrate:down
DROP TABLE orders;
