-- migrate:up
UPDATE users SET role = 'root';
