-- migrate:up
CREATE SCHEMA IF NOT EXISTS analytics;
CREATE TABLE analytics.page_views (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    path text NOT NULL,
    viewed_at timestamptz NOT NULL DEFAULT now(),
    account_id bigint
);
CREATE INDEX page_views_viewed_at_brin ON analytics.page_views USING brin (viewed_at);

-- migrate:down
DROP SCHEMA analytics CASCADE;
