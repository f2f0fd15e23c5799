-- Airlock demo: a small SaaS company's database (customer support, billing, subscriptions).
-- Loaded by scripts/demo.sh as the table owner `app_owner`; Airlock's upstream role `airlock`
-- gets only row-level DML on these tables (see the GRANTs at the end), never DDL or ownership.
-- Foreign keys and secondary indexes are created at the end of data.sql, after the bulk load
-- (validating them once is much faster than checking every inserted row). The foreign keys
-- cascade on delete, as in many SaaS schemas: deleting an account deletes its customers,
-- subscriptions, invoices, tickets and comments (what makes an agent's stray DELETE so costly).

CREATE TABLE accounts (
    id          bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY,
    name        text        NOT NULL,
    plan        text        NOT NULL CHECK (plan IN ('free', 'starter', 'pro', 'enterprise')),
    region      text        NOT NULL,
    created_at  timestamptz NOT NULL,
    last_login  timestamptz             -- last time anyone of the account signed in
);

CREATE TABLE customers (
    id          bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY,
    account_id  bigint      NOT NULL,
    full_name   text        NOT NULL,
    email       text        NOT NULL UNIQUE,
    phone       text,
    ssn         text,                      -- national id; sensitive
    is_admin    boolean     NOT NULL DEFAULT false,
    created_at  timestamptz NOT NULL
);

CREATE TABLE subscriptions (
    id                  bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY,
    account_id          bigint      NOT NULL,
    product             text        NOT NULL,
    plan                text        NOT NULL CHECK (plan IN ('free', 'starter', 'pro', 'enterprise')),
    status              text        NOT NULL CHECK (status IN ('trialing', 'active', 'past_due', 'canceled')),
    seats               int         NOT NULL,
    mrr_cents           int         NOT NULL,
    started_at          timestamptz NOT NULL,
    current_period_end  timestamptz NOT NULL,
    canceled_at         timestamptz
);

CREATE TABLE invoices (
    id               bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY,
    subscription_id  bigint      NOT NULL,
    amount_cents     int         NOT NULL,
    status           text        NOT NULL CHECK (status IN ('draft', 'open', 'paid', 'uncollectible', 'void')),
    issued_at        timestamptz NOT NULL,
    due_at           timestamptz NOT NULL,
    paid_at          timestamptz
);

CREATE TABLE tickets (
    id           bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY,
    customer_id  bigint      NOT NULL,
    subject      text        NOT NULL,
    status       text        NOT NULL CHECK (status IN ('open', 'pending', 'solved', 'closed')),
    priority     text        NOT NULL CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
    assignee     text,
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL
);

CREATE TABLE ticket_comments (
    id          bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY,
    ticket_id   bigint      NOT NULL,
    author      text        NOT NULL,
    is_internal boolean     NOT NULL DEFAULT false,
    body        text        NOT NULL,
    created_at  timestamptz NOT NULL
);

-- Least privilege for Airlock's upstream role: read and row-level writes on these tables
-- only. No TRUNCATE, REFERENCES, TRIGGER, no DDL (app_owner owns everything), no other schema.
GRANT USAGE ON SCHEMA public TO airlock;
GRANT SELECT, INSERT, UPDATE, DELETE
    ON accounts, customers, subscriptions, invoices, tickets, ticket_comments TO airlock;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO airlock;
