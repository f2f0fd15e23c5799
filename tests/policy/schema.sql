-- The database behind the decision tables in this folder (a help desk), in the shape of
-- `pg_dump --schema-only`. Read by `airlock policy test` through each table's `schema:`.
CREATE TABLE public.tickets (
    id integer NOT NULL,
    subject text NOT NULL,
    status text NOT NULL,
    assignee text,
    customer_id integer NOT NULL
);
CREATE TABLE public.customers (
    id integer NOT NULL,
    name text NOT NULL,
    email text,
    phone text,
    ssn text
);
CREATE TABLE public.subscriptions (
    id integer NOT NULL,
    customer_id integer NOT NULL,
    plan text NOT NULL
);
CREATE TABLE public.users (id integer NOT NULL, name text, role text);
CREATE TABLE public.accounts (id integer NOT NULL, balance numeric);
CREATE TABLE public.orders (id integer NOT NULL, total numeric);
CREATE TABLE public.secrets (id integer NOT NULL, token text);
CREATE TABLE public.ok_t ("delete" text, "drop" text, "table" text, a integer);
CREATE TABLE public.scratch (id integer NOT NULL, note text);
CREATE SEQUENCE public.ticket_comments_id_seq;
CREATE SEQUENCE public.s;
CREATE FUNCTION public.my_func() RETURNS integer LANGUAGE sql STABLE AS $$ SELECT 1 $$;
CREATE FUNCTION public.run_dangerous() RETURNS void LANGUAGE sql AS $$ SELECT 1 $$;
-- Overloads pg_catalog.upper(text): `upper(1)` runs this one (PostgreSQL picks by types).
CREATE FUNCTION public.upper(integer) RETURNS integer LANGUAGE sql VOLATILE AS $$ SELECT 1 $$;
