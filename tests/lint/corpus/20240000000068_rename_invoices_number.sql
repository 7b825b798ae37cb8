-- migrate:up
ALTER TABLE invoices RENAME number TO invoice_number;

-- migrate:down
ALTER TABLE invoices RENAME invoice_number TO number;
