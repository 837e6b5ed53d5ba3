-- The service may run as a kq_app member that cannot create tables: it only reads which migrations
-- the owner applied (the fast path of PostgresLogStore.MigrateAsync).
GRANT SELECT ON schema_migrations TO kq_app;
