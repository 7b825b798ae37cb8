-- migrate:up
INSERT INTO users (email, name) VALUES ('new@x', 'New');
INSERT INTO does_not_exist VALUES (1);
