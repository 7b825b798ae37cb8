-- migrate:up transactions:false
SELECT 1;
