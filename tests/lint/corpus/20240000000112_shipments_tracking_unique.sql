-- migrate:up
CREATE UNIQUE INDEX shipments_tracking_idx ON shipments (carrier, tracking_number);

-- migrate:down
DROP INDEX shipments_tracking_idx;
