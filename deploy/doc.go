// Package deploy holds deployment material that is exercised by tests:
// the Litestream replication config (litestream.yml) is run against a real
// S3-compatible server to prove replicate → lose the database → restore.
package deploy
