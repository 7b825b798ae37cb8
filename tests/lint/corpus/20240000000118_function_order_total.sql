-- migrate:up
CREATE OR REPLACE FUNCTION order_total(p_order bigint) RETURNS bigint LANGUAGE sql STABLE AS $$
    SELECT coalesce(sum(quantity * unit_price_cents - discount_cents), 0) FROM line_items WHERE order_id = p_order
$$;

-- migrate:down
DROP FUNCTION order_total(bigint);
