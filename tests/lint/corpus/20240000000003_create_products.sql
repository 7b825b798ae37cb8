-- migrate:up
CREATE TABLE products (
    id bigserial PRIMARY KEY,
    account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    sku char(12) NOT NULL,
    title text NOT NULL,
    price_cents integer NOT NULL CHECK (price_cents >= 0),
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX products_account_id_idx ON products (account_id);

-- migrate:down
DROP TABLE products;
