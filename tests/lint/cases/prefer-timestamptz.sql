-- migrate:up
CREATE TABLE logins (at timestamp); -- expect: prefer-timestamptz
CREATE TABLE visits (at timestamp without time zone); -- expect: prefer-timestamptz
-- Quiet: with time zone.
CREATE TABLE events (at timestamptz, b timestamp with time zone);
