-- migrate:up
CREATE TABLE invoices (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    order_id bigint NOT NULL REFERENCES orders (id),
    number varchar(32) NOT NULL UNIQUE,
    issued_on date NOT NULL DEFAULT CURRENT_DATE,
    amount_cents bigint NOT NULL,
    pdf_path text
);

-- migrate:down
DROP TABLE invoices;
