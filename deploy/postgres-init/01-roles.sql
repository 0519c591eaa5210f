-- Run once by the postgres image when its volume is empty (docker-entrypoint-initdb.d), as the superuser,
-- in the database POSTGRES_DB. Two roles, as the README's "Least privilege in the database" describes:
--   gateway_owner  owns the schema and runs the migrations (MIGRATION_DATABASE_URL);
--   gateway_app    is the service's own role (DATABASE_URL): the migrations grant it only what it needs.
-- Sandbox passwords: not secrets of any real installation.
create role gateway_owner login password 'gateway_owner_sandbox';
create role gateway_app login password 'gateway_app_sandbox';
-- The database owner also owns schema public (Postgres 15+: pg_database_owner), so the owner role can
-- create the tables; nobody else can (CREATE on public is not granted to PUBLIC since Postgres 15).
alter database gateway owner to gateway_owner;
