-- Runs once, when the postgres container starts on an empty data volume
-- (docker-compose.yml mounts it into /docker-entrypoint-initdb.d/).
--
-- Two login roles, neither a superuser:
--   temporal     may create databases; temporal-admin-tools creates and
--                migrates `temporal` and `temporal_visibility` with it.
--   union_drive  owns the application database `union_drive`; the API
--                applies its knex migrations as this role.
-- Passwords come from the container environment (psql \getenv, psql >= 15),
-- so none is written here.

\set ON_ERROR_STOP on

\getenv temporal_db_password TEMPORAL_DB_PASSWORD
\getenv app_db_password APP_DB_PASSWORD

\if :{?temporal_db_password}
\else
  DO $$ BEGIN RAISE EXCEPTION 'TEMPORAL_DB_PASSWORD is not set in the postgres container'; END $$;
\endif
\if :{?app_db_password}
\else
  DO $$ BEGIN RAISE EXCEPTION 'APP_DB_PASSWORD is not set in the postgres container'; END $$;
\endif

CREATE ROLE temporal LOGIN CREATEDB PASSWORD :'temporal_db_password';

CREATE ROLE union_drive LOGIN PASSWORD :'app_db_password';
CREATE DATABASE union_drive OWNER union_drive ENCODING 'UTF8' TEMPLATE template0;
REVOKE ALL ON DATABASE union_drive FROM PUBLIC;
