-- migrate:up
CREATE TABLE users (
    id serial PRIMARY KEY,
    account_id bigint NOT NULL REFERENCES accounts (id),
    email varchar(255) NOT NULL,
    password_digest varchar(255) NOT NULL,
    created_at timestamp NOT NULL DEFAULT now(),
    updated_at timestamp NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX index_users_on_email ON users (email);

-- migrate:down
DROP TABLE users;
