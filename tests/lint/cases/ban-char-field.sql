-- migrate:up
CREATE TABLE countries (code char(2)); -- expect: ban-char-field
CREATE TABLE flags (f character(1)); -- expect: ban-char-field
-- Quiet: text, and "char" (the one-byte internal type).
CREATE TABLE names (code text, kind "char");
