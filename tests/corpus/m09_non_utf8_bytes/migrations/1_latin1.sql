-- migrate:up
INSERT INTO users (email, name) VALUES ('café@x', 'Café');
