-- migrate:up
CREATE TABLE api_keys (
    id serial PRIMARY KEY,
    account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    token_hash bytea NOT NULL,
    last_used_at timestamp,
    created_at timestamp NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX api_keys_token_hash_idx ON api_keys (token_hash);

-- migrate:down
DROP TABLE api_keys;
