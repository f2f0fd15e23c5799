--
-- PostgreSQL database dump (schema only), shaped like `pg_dump --schema-only` output:
-- a small SaaS help desk. Shared by the sql unit tests (catalog, columns, WHERE shapes).
--
\restrict AbCdEf0123

SET statement_timeout = 0;
SET lock_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET client_min_messages = warning;
SET row_security = off;

CREATE SCHEMA billing;

ALTER SCHEMA billing OWNER TO app;

CREATE FUNCTION public.mask_email(email text) RETURNS text
    LANGUAGE sql IMMUTABLE
    AS $$ SELECT regexp_replace(email, '^[^@]+', '***') $$;

CREATE FUNCTION public.current_tenant() RETURNS integer
    LANGUAGE sql STABLE
    AS $$ SELECT current_setting('app.tenant')::integer $$;

CREATE FUNCTION public.grant_admin(uid integer, note text DEFAULT ''::text) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    AS $$
BEGIN
  UPDATE public.accounts SET role = 'admin' WHERE id = uid;
END;
$$;

ALTER FUNCTION public.grant_admin(uid integer, note text) OWNER TO app;

SET default_tablespace = '';
SET default_table_access_method = heap;

CREATE TABLE public.accounts (
    id integer NOT NULL,
    name text NOT NULL,
    role text DEFAULT 'member'::text,
    created_at timestamp with time zone DEFAULT now() NOT NULL
);

ALTER TABLE public.accounts OWNER TO app;

CREATE SEQUENCE public.accounts_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.accounts_id_seq OWNED BY public.accounts.id;

CREATE TABLE public.customers (
    id integer NOT NULL,
    account_id integer NOT NULL,
    name text,
    email text NOT NULL,
    phone text,
    ssn text
);

COMMENT ON COLUMN public.customers.ssn IS 'US social security number';

CREATE TABLE public.subscriptions (
    id bigint NOT NULL,
    customer_id integer NOT NULL,
    plan text NOT NULL,
    status text DEFAULT 'active'::text NOT NULL
);

CREATE TABLE public.tickets (
    id integer NOT NULL,
    customer_id integer,
    subject text,
    status text NOT NULL,
    assignee text
);

CREATE TABLE public.ticket_comments (
    id integer NOT NULL,
    ticket_id integer NOT NULL,
    author text,
    body text
);

CREATE SEQUENCE public.ticket_comments_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

CREATE TABLE billing.invoices (
    id integer NOT NULL,
    customer_id integer NOT NULL,
    amount_cents bigint,
    due_date date
);

ALTER TABLE billing.invoices ADD COLUMN paid boolean DEFAULT false;

CREATE VIEW public.customer_contacts AS
 SELECT customers.id,
    customers.name,
    lower(customers.email) AS email_lower
   FROM public.customers;

CREATE MATERIALIZED VIEW billing.open_invoices AS
 SELECT invoices.id, invoices.customer_id, invoices.amount_cents
   FROM billing.invoices
  WHERE NOT invoices.paid
  WITH NO DATA;

ALTER TABLE ONLY public.ticket_comments ALTER COLUMN id SET DEFAULT nextval('public.ticket_comments_id_seq'::regclass);

ALTER TABLE ONLY public.accounts
    ADD CONSTRAINT accounts_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.customers
    ADD CONSTRAINT customers_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.tickets
    ADD CONSTRAINT tickets_pkey PRIMARY KEY (id);

ALTER TABLE ONLY billing.invoices
    ADD CONSTRAINT invoices_pkey PRIMARY KEY (id);

CREATE INDEX tickets_status_idx ON public.tickets USING btree (status);

ALTER TABLE ONLY public.customers
    ADD CONSTRAINT customers_account_id_fkey FOREIGN KEY (account_id) REFERENCES public.accounts(id);

GRANT SELECT ON TABLE public.customers TO readonly;

--
-- PostgreSQL database dump complete
--

\unrestrict AbCdEf0123
