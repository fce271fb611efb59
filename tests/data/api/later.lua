-- A migration policy that always waits a minute, so the API specs can see
-- a migration waiting in the queue.
return {
  name = "later",
  migrate_when = function(m, pool, ctx) return 60, "not now" end,
}
