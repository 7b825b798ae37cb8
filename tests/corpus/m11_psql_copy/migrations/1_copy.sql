-- migrate:up
\copy users from 'u.csv' csv
