-- migrate:up
ALTER TABLE shipments ADD CONSTRAINT shipments_carrier_known CHECK (carrier IN ('ups', 'dhl', 'fedex', 'usps'));

-- migrate:down
ALTER TABLE shipments DROP CONSTRAINT shipments_carrier_known;
